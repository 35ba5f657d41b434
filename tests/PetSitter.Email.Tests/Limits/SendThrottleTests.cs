using System.Threading.Channels;
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
    public async Task A_wait_exactly_as_long_as_the_bound_is_still_waited_out()
    {
        var store = new ScriptedQuotaStore(QuotaDecision.Refuse(LimitWindow.MessagesPerSecond, TimeSpan.FromSeconds(2)), QuotaDecision.Allow());
        var throttle = new SendThrottle(store, time, TimeSpan.FromSeconds(2));

        var waiting = throttle.AcquireAsync(Account, SendLimits.None, 1, CancellationToken.None).AsTask();

        waiting.IsCompleted.Should().BeFalse("a two-second slot fits a two-second bound");
        time.Advance(TimeSpan.FromSeconds(2));
        (await waiting.WaitAsync(Patience)).IsAllowed.Should().BeTrue();
    }

    [Fact]
    public async Task The_observer_is_told_once_of_a_wait_that_got_its_slot_with_the_window_that_refused()
    {
        var store = new ScriptedQuotaStore(QuotaDecision.Refuse(LimitWindow.MessagesPerSecond, TimeSpan.FromSeconds(1)), QuotaDecision.Allow());
        var throttle = new SendThrottle(store, time, TimeSpan.FromSeconds(2));
        var observer = new RecordingObserver();

        var waiting = throttle.AcquireAsync(Account, SendLimits.None, 1, observer, null, CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromSeconds(1));

        (await waiting.WaitAsync(Patience)).IsAllowed.Should().BeTrue();
        observer.AfterWaits.Should().Be(1, "the breaker is asked after the wait, before the count");
        observer.Waits.Should().Equal((LimitWindow.MessagesPerSecond, true));
    }

    [Fact]
    public async Task A_send_that_waited_in_line_is_checked_by_its_observer_before_it_is_counted_and_reports_its_wait()
    {
        var store = new ScriptedQuotaStore(
            QuotaDecision.Refuse(LimitWindow.MessagesPerSecond, TimeSpan.FromSeconds(1)),
            QuotaDecision.Allow(),
            QuotaDecision.Allow());
        var throttle = new SendThrottle(store, time, TimeSpan.FromSeconds(2));
        var observer = new RecordingObserver();
        var head = throttle.AcquireAsync(Account, SendLimits.None, 1, CancellationToken.None).AsTask();

        var behind = throttle.AcquireAsync(Account, SendLimits.None, 1, observer, null, CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromSeconds(1));

        (await head.WaitAsync(Patience)).IsAllowed.Should().BeTrue();
        (await behind.WaitAsync(Patience)).IsAllowed.Should().BeTrue();
        observer.AfterWaits.Should().Be(1, "the send behind slept too: the breaker may have opened meanwhile");
        observer.Waits.Should().ContainSingle().Which.Acquired.Should().BeTrue();
    }

    [Fact]
    public async Task A_send_that_waited_in_line_and_is_then_refused_reports_the_window_that_refused_it()
    {
        var store = new ScriptedQuotaStore(
            QuotaDecision.Refuse(LimitWindow.MessagesPerSecond, TimeSpan.FromSeconds(1)),
            QuotaDecision.Allow(),
            QuotaDecision.Refuse(LimitWindow.MessagesPerHour, TimeSpan.FromMinutes(40)));
        var throttle = new SendThrottle(store, time, TimeSpan.FromSeconds(2));
        var observer = new RecordingObserver();
        var head = throttle.AcquireAsync(Account, SendLimits.None, 1, CancellationToken.None).AsTask();

        var behind = throttle.AcquireAsync(Account, SendLimits.None, 1, observer, null, CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromSeconds(1));

        (await head.WaitAsync(Patience)).IsAllowed.Should().BeTrue();
        (await behind.WaitAsync(Patience)).Should().Be(QuotaDecision.Refuse(LimitWindow.MessagesPerHour, TimeSpan.FromMinutes(40)));
        observer.Waits.Should().Equal((LimitWindow.MessagesPerHour, false));
    }

    [Fact]
    public async Task A_send_queued_in_line_gets_only_what_is_left_of_its_bound_and_then_the_stores_refusal()
    {
        // The channel took the message a second before it reached the throttle (waiting for its lane, connecting).
        var store = new ScriptedQuotaStore(QuotaDecision.Refuse(LimitWindow.MessagesPerSecond, TimeSpan.FromMilliseconds(1_500)), QuotaDecision.Allow())
        {
            Peeked = QuotaDecision.Refuse(LimitWindow.MessagesPerSecond, TimeSpan.FromMilliseconds(500)),
        };
        var throttle = new SendThrottle(store, time, TimeSpan.FromSeconds(2));
        var observer = new RecordingObserver();
        var tookIt = time.GetTimestamp();
        time.Advance(TimeSpan.FromSeconds(1));
        var head = throttle.AcquireAsync(Account, SendLimits.None, 1, CancellationToken.None).AsTask();

        var behind = throttle.AcquireAsync(Account, SendLimits.None, 1, observer, tookIt, CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromSeconds(1));

        (await behind.WaitAsync(Patience)).Should().Be(QuotaDecision.Refuse(LimitWindow.MessagesPerSecond, TimeSpan.FromMilliseconds(500)), "the store's own answer, when the bound ran out");
        observer.Waits.Should().Equal((LimitWindow.MessagesPerSecond, false));
        store.Calls.Should().Be(1, "the send behind never reached the store: nothing was counted for it");
        time.Advance(TimeSpan.FromMilliseconds(500));
        (await head.WaitAsync(Patience)).IsAllowed.Should().BeTrue();
    }

    [Fact]
    public async Task A_send_whose_bound_runs_out_in_line_is_refused_with_the_heads_window_even_when_the_slot_looks_free()
    {
        var store = new ScriptedQuotaStore(QuotaDecision.Refuse(LimitWindow.MessagesPerMinute, TimeSpan.FromMilliseconds(1_500)), QuotaDecision.Allow());
        var throttle = new SendThrottle(store, time, TimeSpan.FromSeconds(2));
        var tookIt = time.GetTimestamp();
        time.Advance(TimeSpan.FromSeconds(1));
        var head = throttle.AcquireAsync(Account, SendLimits.None, 1, CancellationToken.None).AsTask();

        var behind = throttle.AcquireAsync(Account, SendLimits.None, 1, null, tookIt, CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromSeconds(1));

        // The store would allow now, but only a check counts a message: handing back "allowed" would send one uncounted.
        var decision = await behind.WaitAsync(Patience);
        decision.IsAllowed.Should().BeFalse();
        decision.Window.Should().Be(LimitWindow.MessagesPerMinute, "the window the send at the head is waiting for");
        time.Advance(TimeSpan.FromMilliseconds(500));
        (await head.WaitAsync(Patience)).IsAllowed.Should().BeTrue();
    }

    [Fact]
    public async Task A_send_whose_bound_is_used_up_before_it_joins_the_line_is_refused_at_once()
    {
        var store = new ScriptedQuotaStore(QuotaDecision.Refuse(LimitWindow.MessagesPerSecond, TimeSpan.FromMilliseconds(1_500)), QuotaDecision.Allow())
        {
            Peeked = QuotaDecision.Refuse(LimitWindow.MessagesPerSecond, TimeSpan.FromMilliseconds(1_500)),
        };
        var throttle = new SendThrottle(store, time, TimeSpan.FromSeconds(2));
        var observer = new RecordingObserver();
        var tookIt = time.GetTimestamp();
        time.Advance(TimeSpan.FromSeconds(3));
        var head = throttle.AcquireAsync(Account, SendLimits.None, 1, CancellationToken.None).AsTask();

        var behind = throttle.AcquireAsync(Account, SendLimits.None, 1, observer, tookIt, CancellationToken.None).AsTask();

        (await behind.WaitAsync(Patience)).Should().Be(QuotaDecision.Refuse(LimitWindow.MessagesPerSecond, TimeSpan.FromMilliseconds(1_500)));
        observer.Waits.Should().Equal((LimitWindow.MessagesPerSecond, false));
        time.Advance(TimeSpan.FromMilliseconds(1_500));
        (await head.WaitAsync(Patience)).IsAllowed.Should().BeTrue();
    }

    [Fact]
    public async Task Cancelling_a_send_queued_in_line_is_a_cancellation_not_a_refusal()
    {
        var store = new ScriptedQuotaStore(QuotaDecision.Refuse(LimitWindow.MessagesPerSecond, TimeSpan.FromMilliseconds(1_500)), QuotaDecision.Allow());
        var throttle = new SendThrottle(store, time, TimeSpan.FromSeconds(2));
        var observer = new RecordingObserver();
        using var cancellation = new CancellationTokenSource();
        var head = throttle.AcquireAsync(Account, SendLimits.None, 1, CancellationToken.None).AsTask();

        var behind = throttle.AcquireAsync(Account, SendLimits.None, 1, observer, null, cancellation.Token).AsTask();
        await cancellation.CancelAsync();

        await behind.Invoking(task => task.WaitAsync(Patience)).Should().ThrowAsync<OperationCanceledException>();
        observer.Waits.Should().BeEmpty("a cancelled send was neither counted nor refused");
        time.Advance(TimeSpan.FromMilliseconds(1_500));
        (await head.WaitAsync(Patience)).IsAllowed.Should().BeTrue("the head keeps its place");
    }

    [Fact]
    public async Task A_cancelled_caller_gets_a_cancellation_even_when_its_bound_is_used_up_too()
    {
        // This store answers a look even on a cancelled token, so only the throttle decides what the caller sees.
        var store = new ScriptedQuotaStore(QuotaDecision.Refuse(LimitWindow.MessagesPerSecond, TimeSpan.FromMilliseconds(1_500)), QuotaDecision.Allow())
        {
            Peeked = QuotaDecision.Refuse(LimitWindow.MessagesPerSecond, TimeSpan.FromMilliseconds(1_500)),
        };
        var throttle = new SendThrottle(store, time, TimeSpan.FromSeconds(2));
        var tookIt = time.GetTimestamp();
        time.Advance(TimeSpan.FromSeconds(3));
        var head = throttle.AcquireAsync(Account, SendLimits.None, 1, CancellationToken.None).AsTask();

        var behind = throttle.AcquireAsync(Account, SendLimits.None, 1, null, tookIt, new CancellationToken(canceled: true)).AsTask();

        await behind.Invoking(task => task.WaitAsync(Patience)).Should().ThrowAsync<OperationCanceledException>();
        time.Advance(TimeSpan.FromMilliseconds(1_500));
        (await head.WaitAsync(Patience)).IsAllowed.Should().BeTrue();
    }

    [Fact]
    public async Task A_store_that_answers_later_gets_the_same_short_waits()
    {
        var store = new LateQuotaStore();
        var throttle = new SendThrottle(store, time, TimeSpan.FromSeconds(2));

        var waiting = throttle.AcquireAsync(Account, SendLimits.None, 1, CancellationToken.None).AsTask();
        await store.AnswerAsync(QuotaDecision.Refuse(LimitWindow.MessagesPerSecond, TimeSpan.FromSeconds(1)));

        waiting.IsCompleted.Should().BeFalse("a one-second slot is waited for, whichever store answered");
        time.Advance(TimeSpan.FromSeconds(1));
        await store.AnswerAsync(QuotaDecision.Allow());
        (await waiting.WaitAsync(Patience)).IsAllowed.Should().BeTrue();
    }

    [Fact]
    public async Task A_send_the_store_allowed_goes_at_once_while_another_send_of_the_account_waits_for_a_slot()
    {
        var store = new LateQuotaStore();
        var throttle = new SendThrottle(store, time, TimeSpan.FromSeconds(2));
        var first = throttle.AcquireAsync(Account, SendLimits.None, 1, CancellationToken.None).AsTask();
        var second = throttle.AcquireAsync(Account, SendLimits.None, 1, CancellationToken.None).AsTask();

        await store.AnswerAsync(QuotaDecision.Refuse(LimitWindow.MessagesPerSecond, TimeSpan.FromSeconds(1)));
        await store.AnswerAsync(QuotaDecision.Allow());

        (await second.WaitAsync(Patience)).IsAllowed.Should().BeTrue("it is counted already: it does not queue behind the first");
        time.Advance(TimeSpan.FromSeconds(1));
        await store.AnswerAsync(QuotaDecision.Allow());
        (await first.WaitAsync(Patience)).IsAllowed.Should().BeTrue();
        store.Calls.Should().Be(3, "each message counted once");
    }

    [Fact]
    public async Task A_send_refused_while_another_waits_queues_behind_it_and_reports_the_window_that_refused_it()
    {
        var store = new LateQuotaStore();
        var throttle = new SendThrottle(store, time, TimeSpan.FromSeconds(2));
        var observer = new RecordingObserver();
        var first = throttle.AcquireAsync(Account, SendLimits.None, 1, CancellationToken.None).AsTask();
        var second = throttle.AcquireAsync(Account, SendLimits.None, 1, observer, null, CancellationToken.None).AsTask();
        await store.AnswerAsync(QuotaDecision.Refuse(LimitWindow.MessagesPerSecond, TimeSpan.FromSeconds(1)));
        await store.AnswerAsync(QuotaDecision.Refuse(LimitWindow.MessagesPerSecond, TimeSpan.FromSeconds(1)));

        time.Advance(TimeSpan.FromSeconds(1));
        await store.AnswerAsync(QuotaDecision.Allow());
        (await first.WaitAsync(Patience)).IsAllowed.Should().BeTrue();
        await store.AnswerAsync(QuotaDecision.Allow());

        (await second.WaitAsync(Patience)).IsAllowed.Should().BeTrue();
        observer.Waits.Should().Equal((LimitWindow.MessagesPerSecond, true));
    }

    [Fact]
    public async Task Once_nobody_waits_the_accounts_sends_ask_a_shared_store_side_by_side_again()
    {
        var store = new LateQuotaStore();
        var throttle = new SendThrottle(store, time, TimeSpan.FromSeconds(2));
        var waited = throttle.AcquireAsync(Account, SendLimits.None, 1, CancellationToken.None).AsTask();
        await store.AnswerAsync(QuotaDecision.Refuse(LimitWindow.MessagesPerSecond, TimeSpan.FromSeconds(1)));
        time.Advance(TimeSpan.FromSeconds(1));
        await store.AnswerAsync(QuotaDecision.Allow());
        (await waited.WaitAsync(Patience)).IsAllowed.Should().BeTrue();

        var one = throttle.AcquireAsync(Account, SendLimits.None, 1, CancellationToken.None).AsTask();
        var other = throttle.AcquireAsync(Account, SendLimits.None, 1, CancellationToken.None).AsTask();

        store.Calls.Should().Be(4, "neither queues behind the other: both round trips are under way");
        await store.AnswerAsync(QuotaDecision.Allow());
        await store.AnswerAsync(QuotaDecision.Allow());
        (await one.WaitAsync(Patience)).IsAllowed.Should().BeTrue();
        (await other.WaitAsync(Patience)).IsAllowed.Should().BeTrue();
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

    /// <summary>Records what the throttle tells it, as the SMTP channel's telemetry would.</summary>
    private sealed class RecordingObserver : IThrottleWaitObserver
    {
        public int AfterWaits { get; private set; }

        public List<(LimitWindow Window, bool Acquired)> Waits { get; } = [];

        public ValueTask AfterWaitAsync(CancellationToken cancellationToken)
        {
            AfterWaits++;
            return ValueTask.CompletedTask;
        }

        public void Waited(LimitWindow window, TimeSpan waited, bool acquired) => Waits.Add((window, acquired));
    }

    /// <summary>Answers with a fixed sequence of decisions, as a store shared with other senders might.</summary>
    private sealed class ScriptedQuotaStore(params QuotaDecision[] decisions) : ISendQuotaStore
    {
        public int Calls { get; private set; }

        /// <summary>Gets what a look answers (whatever the token: a store may finish a look it started).</summary>
        public QuotaDecision Peeked { get; init; } = QuotaDecision.Allow();

        public ValueTask<QuotaDecision> TryAcquireAsync(string accountKey, SendLimits limits, int recipients, CancellationToken cancellationToken = default) =>
            new(decisions[Calls++]);

        public ValueTask<QuotaDecision> PeekAsync(string accountKey, SendLimits limits, int recipients, CancellationToken cancellationToken = default) =>
            new(Peeked);

        public ValueTask MarkExhaustedAsync(string accountKey, DateTimeOffset until, string reason, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public ValueTask<QuotaSnapshot?> GetAsync(string accountKey, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();
    }

    /// <summary>Answers each check only when the test says, as a store a network round trip away (Redis) does.</summary>
    private sealed class LateQuotaStore : ISendQuotaStore
    {
        private readonly Channel<TaskCompletionSource<QuotaDecision>> _checks = Channel.CreateUnbounded<TaskCompletionSource<QuotaDecision>>();
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public ValueTask<QuotaDecision> TryAcquireAsync(string accountKey, SendLimits limits, int recipients, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _calls);

            var answer = new TaskCompletionSource<QuotaDecision>();
            _checks.Writer.TryWrite(answer);
            return new ValueTask<QuotaDecision>(answer.Task);
        }

        /// <summary>
        /// Answers the oldest unanswered check, once it has been made. The answer is given off the test's synchronization
        /// context, so the throttle's continuation runs inline: a throttle that waits has started its wait when this returns.
        /// </summary>
        public async Task AnswerAsync(QuotaDecision decision)
        {
            var check = await _checks.Reader.ReadAsync().AsTask().WaitAsync(Patience);
            await Task.Run(() => check.SetResult(decision));
        }

        public ValueTask MarkExhaustedAsync(string accountKey, DateTimeOffset until, string reason, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public ValueTask<QuotaSnapshot?> GetAsync(string accountKey, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();
    }
}
