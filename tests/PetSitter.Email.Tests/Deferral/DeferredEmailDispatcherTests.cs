using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PetSitter.Email.Tests.Support;
using static PetSitter.Email.Tests.Support.PolicyTestData;

namespace PetSitter.Email.Tests.Deferral;

public class DeferredEmailDispatcherTests
{
    private readonly FakeTimeProvider _time = new(Start);
    private readonly InMemoryDeferredEmailQueue _queue = new();
    private readonly ScriptedResender _resender = new();
    private readonly RecordingListener _listener = new();
    private readonly FallbackPolicyOptions _options = new();

    private DeferredEmailDispatcher Dispatcher(params IEmailOutcomeListener[] listeners) =>
        new(_queue, _resender, listeners.Length == 0 ? [_listener] : listeners, Options.Create(_options), _time, TestLogging.For<DeferredEmailDispatcher>());

    private DateTimeOffset Now => _time.GetUtcNow();

    private static SendOutcome SentVia(DeferredEmail item, EmailChannel channel = EmailChannel.Smtp) =>
        SendOutcome.Sent(item.Email, channel, EmailChannel.Smtp, new DeliveryReceipt("smtp.paws.example:587", "250 OK"));

    private SendOutcome DeferredFor(DeferredEmail item, TimeSpan wait, SmtpFailureKind kind = SmtpFailureKind.SendLimitReached) =>
        SendOutcome.Deferred(item.Email, EmailChannel.Smtp, Now + wait, Failure(kind));

    [Fact]
    public async Task A_due_email_is_sent_again_and_its_outcome_reported()
    {
        var item = Deferred(Start);
        await _queue.EnqueueAsync(item, CancellationToken.None);
        _resender.Script = i => SentVia(i);

        var taken = await Dispatcher().DispatchDueAsync(CancellationToken.None);

        taken.Should().Be(1);
        _resender.Calls.Should().Equal(item);
        var outcome = _listener.Outcomes.Should().ContainSingle().Subject;
        outcome.Status.Should().Be(SendStatus.Sent);
        outcome.MessageId.Should().Be(item.MessageId);
        (await _queue.CountAsync(CancellationToken.None)).Should().Be(0);
    }

    [Fact]
    public async Task Emails_not_yet_due_are_left_alone()
    {
        await _queue.EnqueueAsync(Deferred(Start.AddMinutes(5)), CancellationToken.None);

        (await Dispatcher().DispatchDueAsync(CancellationToken.None)).Should().Be(0);

        _resender.Calls.Should().BeEmpty();
        (await _queue.CountAsync(CancellationToken.None)).Should().Be(1);
    }

    [Fact]
    public async Task Deferred_again_goes_back_with_one_more_attempt_the_new_due_time_and_the_new_failure()
    {
        var item = Deferred(Start, attempts: 2);
        await _queue.EnqueueAsync(item, CancellationToken.None);
        _resender.Script = i => DeferredFor(i, TimeSpan.FromHours(6), SmtpFailureKind.AuthenticationFailed);

        await Dispatcher().DispatchDueAsync(CancellationToken.None);

        _listener.Outcomes.Should().BeEmpty("a message that is still waiting has no final outcome yet");
        var back = (await _queue.TakeDueAsync(Start.AddDays(1), 10, CancellationToken.None)).Should().ContainSingle().Subject;
        back.Attempts.Should().Be(3);
        back.DueAt.Should().Be(Start + TimeSpan.FromHours(6));
        back.FirstDeferredAt.Should().Be(item.FirstDeferredAt);
        back.LastFailure.Kind.Should().Be(SmtpFailureKind.AuthenticationFailed);
        back.Email.Should().BeSameAs(item.Email);
    }

    [Fact]
    public async Task Gives_up_after_the_maximum_attempts_and_reports_a_failed_outcome()
    {
        _options.MaxDeferredAttempts = 3;
        var item = Deferred(Start);
        await _queue.EnqueueAsync(item, CancellationToken.None);
        _resender.Script = i => DeferredFor(i, TimeSpan.FromMinutes(10), SmtpFailureKind.AccountUnavailable);
        var dispatcher = Dispatcher();

        for (var pass = 0; pass < 5; pass++)
        {
            await dispatcher.DispatchDueAsync(CancellationToken.None);
            _time.Advance(TimeSpan.FromMinutes(10));
        }

        _resender.Calls.Should().HaveCount(3);
        var outcome = _listener.Outcomes.Should().ContainSingle().Subject;
        outcome.Status.Should().Be(SendStatus.Failed);
        outcome.MessageId.Should().Be(item.MessageId);
        outcome.FailureKind.Should().Be(SmtpFailureKind.AccountUnavailable);
        outcome.Reason.Should().Contain("tried 3 time(s)").And.Contain("Your email account is not working");
        (await _queue.CountAsync(CancellationToken.None)).Should().Be(0);
    }

    [Fact]
    public async Task Gives_up_when_the_next_try_would_come_after_the_longest_deferral()
    {
        _options.MaxDeferral = TimeSpan.FromDays(1);
        var item = Deferred(Start, firstDeferredAt: Start - TimeSpan.FromHours(20));
        await _queue.EnqueueAsync(item, CancellationToken.None);
        _resender.Script = i => DeferredFor(i, TimeSpan.FromHours(6), SmtpFailureKind.AuthenticationFailed);

        await Dispatcher().DispatchDueAsync(CancellationToken.None);

        var outcome = _listener.Outcomes.Should().ContainSingle().Subject;
        outcome.Status.Should().Be(SendStatus.Failed);
        outcome.Reason.Should().Contain("longer than the 1 day allowed").And.Contain("Your SMTP password appears to be wrong");
        _resender.Calls.Should().ContainSingle();
    }

    [Fact]
    public async Task A_resend_that_throws_counts_as_a_try_and_keeps_the_email()
    {
        var item = Deferred(Start);
        await _queue.EnqueueAsync(item, CancellationToken.None);
        _resender.Script = _ => throw new EmailSettingsException("paws", "Business 'paws' is unknown.", []);

        await Dispatcher().DispatchDueAsync(CancellationToken.None);

        _listener.Outcomes.Should().BeEmpty();
        var back = (await _queue.TakeDueAsync(Start.AddDays(1), 10, CancellationToken.None)).Should().ContainSingle().Subject;
        back.Attempts.Should().Be(1);
        back.DueAt.Should().Be(Start + _options.DeferredRetryDelay);
        back.LastFailure.Should().BeSameAs(item.LastFailure);
    }

    [Fact]
    public async Task A_resend_that_keeps_throwing_ends_as_failed_with_the_error()
    {
        _options.MaxDeferredAttempts = 2;
        await _queue.EnqueueAsync(Deferred(Start), CancellationToken.None);
        _resender.Script = _ => throw new EmailSettingsException("paws", "Business 'paws' is unknown.", []);
        var dispatcher = Dispatcher();

        await dispatcher.DispatchDueAsync(CancellationToken.None);
        _time.Advance(_options.DeferredRetryDelay);
        await dispatcher.DispatchDueAsync(CancellationToken.None);

        _listener.Outcomes.Should().ContainSingle().Which.Reason.Should().Contain("Business 'paws' is unknown.");
    }

    [Theory]
    [InlineData(SendStatus.Failed)]
    [InlineData(SendStatus.DeliveryUncertain)]
    public async Task Failed_and_uncertain_results_are_final_and_reported(SendStatus status)
    {
        await _queue.EnqueueAsync(Deferred(Start), CancellationToken.None);
        _resender.Script = i => status == SendStatus.Failed
            ? SendOutcome.Failed(i.Email, EmailChannel.Smtp, EmailChannel.Smtp, "The client's email address was refused.", Failure(SmtpFailureKind.RecipientRejected))
            : SendOutcome.Uncertain(i.Email, EmailChannel.Smtp, EmailChannel.Smtp, Failure(SmtpFailureKind.Transient));

        await Dispatcher().DispatchDueAsync(CancellationToken.None);

        _listener.Outcomes.Should().ContainSingle().Which.Status.Should().Be(status);
        (await _queue.CountAsync(CancellationToken.None)).Should().Be(0);
    }

    [Fact]
    public async Task A_throwing_listener_does_not_stop_the_dispatcher_or_the_other_listeners()
    {
        for (var i = 0; i < 3; i++)
        {
            await _queue.EnqueueAsync(Deferred(Start), CancellationToken.None);
        }

        _resender.Script = i => SentVia(i);
        var throwing = new ThrowingListener();

        var taken = await Dispatcher(throwing, _listener).DispatchDueAsync(CancellationToken.None);

        taken.Should().Be(3);
        throwing.Calls.Should().Be(3);
        _listener.Outcomes.Should().HaveCount(3);
        _resender.Calls.Should().HaveCount(3, "each email is sent once: a listener's failure never resends it");
    }

    [Fact]
    public async Task Every_try_and_the_final_outcome_keep_the_message_id()
    {
        var item = Deferred(Start);
        var messageId = item.MessageId;
        await _queue.EnqueueAsync(item, CancellationToken.None);
        var tries = 0;
        _resender.Script = i => ++tries < 4 ? DeferredFor(i, TimeSpan.FromMinutes(1)) : SentVia(i, EmailChannel.Smtp);
        var dispatcher = Dispatcher();

        while (_listener.Outcomes.Count == 0)
        {
            await dispatcher.DispatchDueAsync(CancellationToken.None);
            _time.Advance(TimeSpan.FromMinutes(1));
        }

        _resender.Calls.Should().HaveCount(4);
        _resender.Calls.Should().AllSatisfy(call => call.MessageId.Should().Be(messageId));
        _resender.Calls.Select(c => c.Email.Message).Should().AllSatisfy(m => m.MessageId.Should().Be(messageId));
        _listener.Outcomes.Single().MessageId.Should().Be(messageId);
    }

    [Fact]
    public async Task Every_deferred_email_ends_in_exactly_one_final_outcome()
    {
        _options.MaxDeferredAttempts = 4;
        _options.DeferredBatchSize = 7;
        var random = new Random(20250314);
        var ids = new List<string>();
        for (var i = 0; i < 200; i++)
        {
            var item = Deferred(Start.AddMinutes(random.Next(0, 60)));
            ids.Add(item.MessageId);
            await _queue.EnqueueAsync(item, CancellationToken.None);
        }

        _resender.Script = i => random.Next(6) switch
        {
            0 => SentVia(i),
            1 => SentVia(i, EmailChannel.Native),
            2 => SendOutcome.Uncertain(i.Email, EmailChannel.Smtp, EmailChannel.Smtp, Failure(SmtpFailureKind.Transient)),
            3 => throw new InvalidOperationException("settings store unavailable"),
            _ => DeferredFor(i, TimeSpan.FromMinutes(random.Next(1, 90))),
        };
        var dispatcher = Dispatcher();

        for (var step = 0; step < 2_000 && await _queue.CountAsync(CancellationToken.None) > 0; step++)
        {
            await dispatcher.DispatchDueAsync(CancellationToken.None);
            _time.Advance(_options.DeferredPollInterval);
        }

        (await _queue.CountAsync(CancellationToken.None)).Should().Be(0);
        _listener.Outcomes.Select(o => o.MessageId).Order(StringComparer.Ordinal).Should().Equal(ids.Order(StringComparer.Ordinal), "each email has one final outcome, none lost, none twice");
        _listener.Outcomes.Should().Contain(o => o.Status == SendStatus.Failed);
        _listener.Outcomes.Should().Contain(o => o.Status == SendStatus.Sent);
        _listener.Outcomes.Should().Contain(o => o.Status == SendStatus.DeliveryUncertain);
    }

    [Fact]
    public async Task Emails_taken_when_the_app_stops_go_back_unchanged()
    {
        var items = Enumerable.Range(0, 4).Select(_ => Deferred(Start, attempts: 1)).ToList();
        foreach (var item in items)
        {
            await _queue.EnqueueAsync(item, CancellationToken.None);
        }

        using var stopping = new CancellationTokenSource();
        _resender.Script = i =>
        {
            if (i == items[1])
            {
                stopping.Cancel();
                stopping.Token.ThrowIfCancellationRequested();
            }

            return SentVia(i);
        };

        var act = () => Dispatcher().DispatchDueAsync(stopping.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
        _listener.Outcomes.Select(o => o.MessageId).Should().Equal(items[0].MessageId);
        var back = await _queue.TakeDueAsync(Start, 10, CancellationToken.None);
        back.Should().Equal(items[1], items[2], items[3]);
        back.Should().AllSatisfy(i => i.Attempts.Should().Be(1));
    }

    [Fact]
    public async Task The_background_loop_sends_due_emails_at_each_interval()
    {
        var first = Deferred(Start);
        var second = Deferred(Start + _options.DeferredPollInterval);
        await _queue.EnqueueAsync(first, CancellationToken.None);
        await _queue.EnqueueAsync(second, CancellationToken.None);
        _resender.Script = i => SentVia(i);
        using var dispatcher = Dispatcher();

        await dispatcher.StartAsync(CancellationToken.None);
        await _listener.WaitForAsync(1);
        _listener.Outcomes.Select(o => o.MessageId).Should().Equal(first.MessageId);

        _time.Advance(_options.DeferredPollInterval);
        await _listener.WaitForAsync(2);
        await dispatcher.StopAsync(CancellationToken.None);

        _listener.Outcomes.Select(o => o.MessageId).Should().Equal(first.MessageId, second.MessageId);
    }

    [Fact]
    public async Task A_full_batch_is_followed_by_the_next_without_waiting_for_the_interval()
    {
        _options.DeferredBatchSize = 2;
        for (var i = 0; i < 5; i++)
        {
            await _queue.EnqueueAsync(Deferred(Start), CancellationToken.None);
        }

        _resender.Script = i => SentVia(i);
        using var dispatcher = Dispatcher();

        await dispatcher.StartAsync(CancellationToken.None);
        await _listener.WaitForAsync(5);
        await dispatcher.StopAsync(CancellationToken.None);

        _listener.Outcomes.Should().HaveCount(5);
    }

    [Fact]
    public async Task A_failing_queue_does_not_end_the_background_loop()
    {
        var queue = new FlakyQueue(_queue);
        await _queue.EnqueueAsync(Deferred(Start + _options.DeferredPollInterval), CancellationToken.None);
        _resender.Script = i => SentVia(i);
        using var dispatcher = new DeferredEmailDispatcher(queue, _resender, [_listener], Options.Create(_options), _time, TestLogging.For<DeferredEmailDispatcher>());

        await dispatcher.StartAsync(CancellationToken.None);
        await queue.FirstFailure.Task.WaitAsync(TimeSpan.FromSeconds(10));
        _time.Advance(_options.DeferredPollInterval);
        await _listener.WaitForAsync(1);
        await dispatcher.StopAsync(CancellationToken.None);

        _listener.Outcomes.Should().ContainSingle();
    }

    [Fact]
    public async Task Final_outcomes_and_give_ups_are_acknowledged_to_the_queue_and_emails_put_back_are_not()
    {
        _options.MaxDeferredAttempts = 3;
        var queue = new SettlingQueue(_queue);
        var sent = Deferred(Start);
        var again = Deferred(Start);
        var last = Deferred(Start, attempts: 2);
        foreach (var item in new[] { sent, again, last })
        {
            await queue.EnqueueAsync(item, CancellationToken.None);
        }

        _resender.Script = i => ReferenceEquals(i, sent) ? SentVia(i) : DeferredFor(i, TimeSpan.FromHours(1));
        var dispatcher = new DeferredEmailDispatcher(queue, _resender, [_listener], Options.Create(_options), _time, TestLogging.For<DeferredEmailDispatcher>());

        await dispatcher.DispatchDueAsync(CancellationToken.None);

        queue.Settled.Should().HaveCount(2);
        queue.Settled.Should().Contain(s => ReferenceEquals(s.Item, sent) && s.Outcome.Status == SendStatus.Sent);
        queue.Settled.Should().Contain(s => ReferenceEquals(s.Item, last) && s.Outcome.Status == SendStatus.Failed && s.Outcome.Reason!.Contains("tried 3 time(s)"));
        var back = (await _queue.TakeDueAsync(Start.AddDays(1), 10, CancellationToken.None)).Should().ContainSingle().Subject;
        back.MessageId.Should().Be(again.MessageId);
    }

    [Fact]
    public async Task An_email_put_back_keeps_what_its_queue_needs_to_settle_it()
    {
        var item = new DeferredEmail(PolicyTestData.Email(), Start, Failure(SmtpFailureKind.SendLimitReached), Start) { QueueReceipt = "entry-42" };
        await _queue.EnqueueAsync(item, CancellationToken.None);
        _resender.Script = i => DeferredFor(i, TimeSpan.FromHours(1));

        await Dispatcher().DispatchDueAsync(CancellationToken.None);

        var back = (await _queue.TakeDueAsync(Start.AddDays(1), 10, CancellationToken.None)).Should().ContainSingle().Subject;
        back.QueueReceipt.Should().Be("entry-42", "a durable queue updates the same entry instead of adding a second one");
        back.Attempts.Should().Be(1);
    }

    [Theory]
    [InlineData(3 * 24 * 60, "3 days")]
    [InlineData(24 * 60, "1 day")]
    [InlineData(36 * 60, "36 hours")]
    [InlineData(60, "1 hour")]
    [InlineData(90, "90 minutes")]
    [InlineData(1, "1 minute")]
    public void Waits_are_described_in_the_owners_words(int minutes, string expected)
    {
        DeferredEmailDispatcher.Describe(TimeSpan.FromMinutes(minutes)).Should().Be(expected);
    }

    private sealed class ScriptedResender : IDeferredEmailResender
    {
        private readonly ConcurrentQueue<DeferredEmail> _calls = new();

        public Func<DeferredEmail, SendOutcome> Script { get; set; } = _ => throw new InvalidOperationException("no script");

        public IReadOnlyList<DeferredEmail> Calls => [.. _calls];

        public Task<SendOutcome> ResendAsync(DeferredEmail item, CancellationToken cancellationToken)
        {
            _calls.Enqueue(item);
            return Task.FromResult(Script(item));
        }
    }

    private sealed class RecordingListener : IEmailOutcomeListener
    {
        private readonly ConcurrentQueue<SendOutcome> _outcomes = new();
        private readonly List<(int Count, TaskCompletionSource Signal)> _waiters = [];

        public IReadOnlyList<SendOutcome> Outcomes => [.. _outcomes];

        public ValueTask OnOutcomeAsync(SendOutcome outcome, CancellationToken cancellationToken)
        {
            _outcomes.Enqueue(outcome);
            lock (_waiters)
            {
                foreach (var waiter in _waiters.Where(w => _outcomes.Count >= w.Count))
                {
                    waiter.Signal.TrySetResult();
                }
            }

            return ValueTask.CompletedTask;
        }

        /// <summary>Completes when <paramref name="count"/> outcomes have arrived; the timeout only guards against a hang.</summary>
        public Task WaitForAsync(int count)
        {
            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_waiters)
            {
                _waiters.Add((count, signal));
                if (_outcomes.Count >= count)
                {
                    signal.TrySetResult();
                }
            }

            return signal.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    private sealed class ThrowingListener : IEmailOutcomeListener
    {
        public int Calls { get; private set; }

        public ValueTask OnOutcomeAsync(SendOutcome outcome, CancellationToken cancellationToken)
        {
            Calls++;
            throw new InvalidOperationException("listener bug");
        }
    }

    private sealed class SettlingQueue(IDeferredEmailQueue inner) : IDeferredEmailQueue
    {
        private readonly ConcurrentQueue<(DeferredEmail Item, SendOutcome Outcome)> _settled = new();

        public IReadOnlyList<(DeferredEmail Item, SendOutcome Outcome)> Settled => [.. _settled];

        public ValueTask EnqueueAsync(DeferredEmail item, CancellationToken cancellationToken) => inner.EnqueueAsync(item, cancellationToken);

        public ValueTask<int> CountAsync(CancellationToken cancellationToken) => inner.CountAsync(cancellationToken);

        public ValueTask<IReadOnlyList<DeferredEmail>> TakeDueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken) => inner.TakeDueAsync(now, max, cancellationToken);

        public ValueTask AcknowledgeAsync(DeferredEmail item, SendOutcome outcome, CancellationToken cancellationToken)
        {
            _settled.Enqueue((item, outcome));
            return ValueTask.CompletedTask;
        }
    }

    private sealed class FlakyQueue(IDeferredEmailQueue inner) : IDeferredEmailQueue
    {
        private int _takes;

        public TaskCompletionSource FirstFailure { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ValueTask EnqueueAsync(DeferredEmail item, CancellationToken cancellationToken) => inner.EnqueueAsync(item, cancellationToken);

        public ValueTask<int> CountAsync(CancellationToken cancellationToken) => inner.CountAsync(cancellationToken);

        public ValueTask<IReadOnlyList<DeferredEmail>> TakeDueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _takes) == 1)
            {
                FirstFailure.TrySetResult();
                throw new InvalidOperationException("queue store unreachable");
            }

            return inner.TakeDueAsync(now, max, cancellationToken);
        }
    }
}
