using Microsoft.Extensions.Time.Testing;

namespace PetSitter.Email.Tests.Limits;

public class SendThrottleTests
{
    private const string Account = "owner@paws.example";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider time = new();

    [Fact]
    public async Task A_short_wait_is_waited_out_and_the_send_goes_ahead()
    {
        var store = new InMemorySendQuotaStore(time);
        var throttle = new SendThrottle(store, time, new SendLimitOptions());
        var limits = new SendLimits { MessagesPerSecond = 1 };
        (await throttle.AcquireAsync(Account, limits, 1, CancellationToken.None)).IsAllowed.Should().BeTrue();

        var waiting = throttle.AcquireAsync(Account, limits, 1, CancellationToken.None).AsTask();
        waiting.IsCompleted.Should().BeFalse("the next per-second slot is about a second away");
        time.Advance(TimeSpan.FromMilliseconds(1_039));
        waiting.IsCompleted.Should().BeFalse();
        time.Advance(TimeSpan.FromMilliseconds(1));

        (await waiting.WaitAsync(Patience)).IsAllowed.Should().BeTrue();
    }

    [Fact]
    public async Task A_long_wait_is_handed_back_at_once_with_the_reset_time()
    {
        var store = new InMemorySendQuotaStore(time);
        var throttle = new SendThrottle(store, time, TimeSpan.FromSeconds(2));
        var limits = new SendLimits { MessagesPerMinute = 1 };
        await throttle.AcquireAsync(Account, limits, 1, CancellationToken.None);

        var pending = throttle.AcquireAsync(Account, limits, 1, CancellationToken.None).AsTask();

        pending.IsCompletedSuccessfully.Should().BeTrue("a minute's wait is beyond the bound");
        var decision = await pending;
        decision.Window.Should().Be(LimitWindow.MessagesPerMinute);
        decision.RetryAfter.Should().Be(TimeSpan.FromSeconds(62));
    }

    [Fact]
    public async Task The_bound_caps_the_total_wait_when_others_take_the_freed_slot()
    {
        var store = new ScriptedQuotaStore(
            QuotaDecision.Refuse(LimitWindow.MessagesPerSecond, TimeSpan.FromMilliseconds(1_500)),
            QuotaDecision.Refuse(LimitWindow.MessagesPerSecond, TimeSpan.FromMilliseconds(1_000)),
            QuotaDecision.Allow());
        var throttle = new SendThrottle(store, time, TimeSpan.FromSeconds(2));

        var waiting = throttle.AcquireAsync(Account, SendLimits.None, 1, CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromMilliseconds(1_500));
        var decision = await waiting.WaitAsync(Patience);

        decision.IsAllowed.Should().BeFalse("1.5 s waited plus 1 s more would pass the 2 s bound");
        decision.RetryAfter.Should().Be(TimeSpan.FromSeconds(1));
        store.Calls.Should().Be(2);
    }

    [Fact]
    public async Task A_newcomer_queues_behind_a_waiting_send_instead_of_taking_the_slot_it_waits_for()
    {
        // The first send is refused for a second; by the time a second send arrives the store would allow it,
        // which is the slot the first one is waiting for.
        var store = new ScriptedQuotaStore(
            QuotaDecision.Refuse(LimitWindow.MessagesPerSecond, TimeSpan.FromSeconds(1)),
            QuotaDecision.Allow(),
            QuotaDecision.Allow(),
            QuotaDecision.Allow());
        var throttle = new SendThrottle(store, time, TimeSpan.FromSeconds(2));

        var first = throttle.AcquireAsync(Account, SendLimits.None, 1, CancellationToken.None).AsTask();
        var second = throttle.AcquireAsync(Account, SendLimits.None, 1, CancellationToken.None).AsTask();

        second.IsCompleted.Should().BeFalse("the newcomer waits its turn behind the send that came first");
        store.Calls.Should().Be(1, "only the send at the head of the line asks the store");
        time.Advance(TimeSpan.FromSeconds(1));

        (await first.WaitAsync(Patience)).IsAllowed.Should().BeTrue();
        (await second.WaitAsync(Patience)).IsAllowed.Should().BeTrue();
        store.Calls.Should().Be(3);
        var again = throttle.AcquireAsync(Account, SendLimits.None, 1, CancellationToken.None).AsTask();
        again.IsCompletedSuccessfully.Should().BeTrue("once nobody waits, a send asks the store at once again");
    }

    [Fact]
    public async Task A_send_stopped_after_its_wait_is_not_counted_and_the_next_in_line_takes_the_slot()
    {
        var store = new InMemorySendQuotaStore(time);
        var throttle = new SendThrottle(store, time, TimeSpan.FromSeconds(2));
        var limits = new SendLimits { MessagesPerSecond = 1, MessagesPerDay = 100 };
        (await throttle.AcquireAsync(Account, limits, 1, CancellationToken.None)).IsAllowed.Should().BeTrue();
        var head = throttle.AcquireAsync(Account, limits, 1, new StopAfterWait(), null, CancellationToken.None).AsTask();
        var behind = throttle.AcquireAsync(Account, limits, 1, CancellationToken.None).AsTask();

        // The head wakes after its second and is stopped by its observer; the one behind it then gets its turn.
        time.Advance(TimeSpan.FromMilliseconds(1_040));
        await head.Invoking(task => task.WaitAsync(Patience)).Should().ThrowAsync<InvalidOperationException>();

        (await behind.WaitAsync(Patience)).IsAllowed.Should().BeTrue("the slot the stopped send did not take is the next one's");
        (await store.GetAsync(Account))!.MessagesLastDay.Should().Be(2, "the stopped send was never counted");
    }

    [Fact]
    public async Task Too_many_recipients_is_never_waited_for()
    {
        var throttle = new SendThrottle(new InMemorySendQuotaStore(time), time, TimeSpan.FromMinutes(1));

        var pending = throttle.AcquireAsync(Account, new SendLimits { RecipientsPerMessage = 10 }, 11, CancellationToken.None).AsTask();

        pending.IsCompletedSuccessfully.Should().BeTrue();
        (await pending).Window.Should().Be(LimitWindow.RecipientsPerMessage);
    }

    [Fact]
    public async Task A_zero_bound_never_waits()
    {
        var store = new InMemorySendQuotaStore(time);
        var throttle = new SendThrottle(store, time, TimeSpan.Zero);
        var limits = new SendLimits { MessagesPerSecond = 1 };
        await throttle.AcquireAsync(Account, limits, 1, CancellationToken.None);

        var pending = throttle.AcquireAsync(Account, limits, 1, CancellationToken.None).AsTask();

        pending.IsCompletedSuccessfully.Should().BeTrue();
        (await pending).Window.Should().Be(LimitWindow.MessagesPerSecond);
    }

    [Fact]
    public async Task Cancelling_a_wait_stops_it()
    {
        var store = new InMemorySendQuotaStore(time);
        var throttle = new SendThrottle(store, time, new SendLimitOptions());
        var limits = new SendLimits { MessagesPerSecond = 1 };
        await throttle.AcquireAsync(Account, limits, 1, CancellationToken.None);
        using var cancellation = new CancellationTokenSource();

        var waiting = throttle.AcquireAsync(Account, limits, 1, cancellation.Token).AsTask();
        await cancellation.CancelAsync();

        await waiting.Invoking(task => task.WaitAsync(Patience)).Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public void Checks_that_need_no_wait_allocate_nothing()
    {
        var throttle = new SendThrottle(new InMemorySendQuotaStore(time), time, new SendLimitOptions());
        var open = new SendLimits { MessagesPerDay = SendLimits.MaxLimit };
        var closed = new SendLimits { MessagesPerHour = 1 };
        var allowed = 0;
        var refused = 0;
        for (var i = 0; i < 1_000; i++)
        {
            allowed += Completed(throttle.AcquireAsync("open", open, 1, CancellationToken.None)).IsAllowed ? 1 : 0;
            refused += Completed(throttle.AcquireAsync("closed", closed, 1, CancellationToken.None)).IsAllowed ? 0 : 1;
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1_000; i++)
        {
            allowed += Completed(throttle.AcquireAsync("open", open, 1, CancellationToken.None)).IsAllowed ? 1 : 0;
            refused += Completed(throttle.AcquireAsync("closed", closed, 1, CancellationToken.None)).IsAllowed ? 0 : 1;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        allowed.Should().Be(2_000);
        refused.Should().Be(1_999);
        allocated.Should().Be(0);
    }

    [Fact]
    public void The_default_bound_is_two_seconds_and_the_options_are_validated()
    {
        new SendLimitOptions().MaxThrottleWait.Should().Be(TimeSpan.FromSeconds(2));
        var validator = new SendLimitOptionsValidator();

        validator.Validate(null, new SendLimitOptions()).Succeeded.Should().BeTrue();
        validator.Validate(null, new SendLimitOptions { MaxThrottleWait = TimeSpan.Zero }).Succeeded.Should().BeTrue();
        validator.Validate(null, new SendLimitOptions { MaxThrottleWait = TimeSpan.FromMinutes(5) }).FailureMessage
            .Should().Contain("SendLimitOptions.MaxThrottleWait");
        validator.Validate(null, new SendLimitOptions { MaxThrottleWait = TimeSpan.FromSeconds(-1) }).Failed.Should().BeTrue();
    }

    private static QuotaDecision Completed(ValueTask<QuotaDecision> pending) =>
        pending.IsCompletedSuccessfully ? pending.Result : throw new InvalidOperationException("The throttle waited.");

    /// <summary>Abandons the send after its first wait, as the channel does when the breaker opened meanwhile.</summary>
    private sealed class StopAfterWait : IThrottleWaitObserver
    {
        public ValueTask AfterWaitAsync(CancellationToken cancellationToken) =>
            throw new InvalidOperationException("The account's breaker opened while the send waited.");

        public void Waited(LimitWindow window, TimeSpan waited, bool acquired)
        {
        }
    }

    /// <summary>Answers with a fixed sequence of decisions, as a store shared with other senders might.</summary>
    private sealed class ScriptedQuotaStore(params QuotaDecision[] decisions) : ISendQuotaStore
    {
        public int Calls { get; private set; }

        public ValueTask<QuotaDecision> TryAcquireAsync(string accountKey, SendLimits limits, int recipients, CancellationToken cancellationToken = default) =>
            new(decisions[Calls++]);

        public ValueTask MarkExhaustedAsync(string accountKey, DateTimeOffset until, string reason, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public ValueTask<QuotaSnapshot?> GetAsync(string accountKey, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();
    }
}
