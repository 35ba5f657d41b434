using StackExchange.Redis;

namespace PetSitter.Email.Redis.Tests.Support;

/// <summary>
/// Stops and starts the fixture's <c>redis-server</c> and waits until an instance's multiplexer has seen it: a test of
/// what the stores do while Redis is away must not run its next step before the library knows Redis is gone (or back).
/// </summary>
internal static class RedisServerOutage
{
    private static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Stops Redis and waits until <paramref name="instance"/>'s interactive connection has failed.</summary>
    public static async Task StopAsync(RedisServer server, Instance instance)
    {
        var lost = Interactive(instance.Get<RedisConnection>().Multiplexer!, static (m, h) => m.ConnectionFailed += h);
        await server.StopAsync();
        await lost.WaitAsync(EventTimeout);
    }

    /// <summary>Starts Redis again and waits until <paramref name="instance"/>'s interactive connection is restored.</summary>
    public static async Task StartAgainAsync(RedisServer server, Instance instance)
    {
        var restored = Interactive(instance.Get<RedisConnection>().Multiplexer!, static (m, h) => m.ConnectionRestored += h);
        await server.StartAgainAsync();
        await restored.WaitAsync(EventTimeout);
    }

    private static Task Interactive(IConnectionMultiplexer multiplexer, Action<IConnectionMultiplexer, EventHandler<ConnectionFailedEventArgs>> subscribe)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        subscribe(multiplexer, (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Interactive)
            {
                signal.TrySetResult();
            }
        });
        return signal.Task;
    }
}
