using System.Collections.Concurrent;
using StackExchange.Redis;

namespace PetSitter.Email;

/// <summary>
/// Wakes this process's sends that wait for something another instance announces on one channel (a first sign-in's
/// verdict, a released token-refresh lock), by the tag the message carries. Subscribed once per process; a failed
/// subscription is tried again by the next waiter. A waiter also polls, so a lost message only costs a poll.
/// </summary>
internal sealed class RedisWakeups(RedisConnection connection, Func<RedisKeys, RedisChannel> channel)
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiters = new(StringComparer.Ordinal);
    private readonly Lock _subscribeGate = new();
    private Task? _subscription;

    /// <summary>Subscribes if this process has not yet (or its last attempt failed); await it before reading the state waited for.</summary>
    public Task SubscribeAsync()
    {
        lock (_subscribeGate)
        {
            if (_subscription is null || _subscription.IsFaulted || _subscription.IsCanceled)
            {
                _subscription = SubscribeCoreAsync();
            }

            return _subscription;
        }
    }

    /// <summary>The signal for <paramref name="tag"/>, shared by every waiter of this process, completed by the next message naming it.</summary>
    public TaskCompletionSource For(string tag) =>
        _waiters.GetOrAdd(tag, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    private async Task SubscribeCoreAsync()
    {
        await connection.GetDatabaseAsync().ConfigureAwait(false);
        var subscriber = connection.Multiplexer!.GetSubscriber();
        await subscriber.SubscribeAsync(channel(connection.Keys), (_, message) => Wake(message)).ConfigureAwait(false);
    }

    private void Wake(RedisValue message)
    {
        if (message.HasValue && _waiters.TryRemove(message.ToString(), out var signal))
        {
            signal.TrySetResult();
        }
    }
}
