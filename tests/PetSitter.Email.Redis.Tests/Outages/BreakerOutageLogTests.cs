using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using PetSitter.Email.Redis.Tests.Support;
using StackExchange.Redis;

namespace PetSitter.Email.Redis.Tests.Outages;

/// <summary>
/// An operator reading the logs of a Redis outage: the shared account breaker says once that Redis is gone (each
/// instance keeps its own breakers meanwhile) and once that it is back, however many checks fail or succeed in between.
/// </summary>
[Collection(RedisOutageGroup.Name)]
public sealed class BreakerOutageLogTests(RedisFixture redis) : IAsyncLifetime
{
    private static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero));

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => redis.Server.StartAgainAsync();

    [Fact]
    public async Task An_outage_and_the_recovery_are_each_logged_once_for_the_shared_account_breaker()
    {
        await using var instance = new Instance(redis.ConnectionString, RedisFixture.NewPrefix(), _time, new Settings(), services: static s => s.AddFakeLogging());
        var breaker = instance.Get<IAccountBreaker>();
        var logs = instance.Get<FakeLogCollector>();
        (await breaker.CheckAsync("paws", "v1", _time.GetUtcNow(), default)).Should().Be(AccountGate.Allowed);

        var multiplexer = instance.Get<RedisConnection>().Multiplexer!;
        var lost = Signal(h => multiplexer.ConnectionFailed += h);
        await redis.Server.StopAsync();
        await lost.WaitAsync(EventTimeout);
        for (var i = 0; i < 3; i++)
        {
            (await breaker.CheckAsync("paws", "v1", _time.GetUtcNow(), default)).Should().Be(AccountGate.Allowed, "this instance's own breaker answers");
        }

        var restored = Signal(h => multiplexer.ConnectionRestored += h);
        await redis.Server.StartAgainAsync();
        await restored.WaitAsync(EventTimeout);
        for (var i = 0; i < 3; i++)
        {
            (await breaker.CheckAsync("paws", "v1", _time.GetUtcNow(), default)).Should().Be(AccountGate.Allowed);
        }

        var events = logs.GetSnapshot().Where(static r => r.Category == typeof(RedisAccountBreaker).FullName).Select(static r => r.Id.Id).ToList();
        events.Should().Equal([RedisLogEvents.Health.Outage, RedisLogEvents.Health.Recovered], "one warning when Redis went away, one note when it answered again");
    }

    private static Task Signal(Action<EventHandler<ConnectionFailedEventArgs>> subscribe)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        subscribe((_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Interactive)
            {
                signal.TrySetResult();
            }
        });
        return signal.Task;
    }
}
