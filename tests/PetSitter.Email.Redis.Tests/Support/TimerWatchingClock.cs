using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace PetSitter.Email.Redis.Tests.Support;

/// <summary>
/// A fake clock that also says when code starts waiting on it (a <c>Task.Delay</c> or timer created through it), so a
/// test advances time only once a send is really waiting, and sees at once when a send waits again instead of
/// going on.
/// </summary>
internal sealed class TimerWatchingClock(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly Channel<TimeSpan> _waits = Channel.CreateUnbounded<TimeSpan>();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        _waits.Writer.TryWrite(dueTime);
        return timer;
    }

    /// <summary>Completes when the next wait on this clock starts (or one started since the last call), with its length.</summary>
    public Task<TimeSpan> NextWaitAsync() => _waits.Reader.ReadAsync().AsTask();
}
