using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PetSitter.Email.Tests.Support;
using static PetSitter.Email.Tests.Support.PolicyTestData;

namespace PetSitter.Email.Tests.Deferral;

/// <summary>
/// Held mail at its edges: an app's dispatch call working through more than one batch, an email whose next try falls
/// exactly at the end of its allowed wait, the reason a give-up gives when the last try itself failed, and the
/// in-memory queue at exactly an email's due time.
/// </summary>
public sealed class DeferredDispatchEdgeTests
{
    private readonly FakeTimeProvider _time = new(Start);
    private readonly InMemoryDeferredEmailQueue _queue = new();
    private readonly Resender _resender = new();
    private readonly Listener _listener = new();
    private readonly FallbackPolicyOptions _options = new();

    private DateTimeOffset Now => _time.GetUtcNow();

    private DeferredEmailDispatcher Dispatcher() =>
        new(_queue, _resender, [_listener], Options.Create(_options), _time, TestLogging.For<DeferredEmailDispatcher>());

    [Fact]
    public async Task One_dispatch_call_of_the_app_works_through_every_full_batch_of_due_mail()
    {
        _options.DeferredBatchSize = 2;
        for (var i = 0; i < 5; i++)
        {
            await _queue.EnqueueAsync(Deferred(Start), CancellationToken.None);
        }

        _resender.Script = item => SendOutcome.Sent(item.Email, EmailChannel.Smtp, EmailChannel.Smtp, new DeliveryReceipt("smtp.paws.example:587", "250 OK"));

        var result = await ((IDeferredEmailDispatcher)Dispatcher()).DispatchDueAsync(CancellationToken.None);

        (result.Taken, result.Sent).Should().Be((5, 5), "a full batch means more may be due");
        (await _queue.CountAsync(CancellationToken.None)).Should().Be(0);
    }

    [Fact]
    public async Task An_email_due_again_exactly_when_its_allowed_wait_ends_is_kept_and_one_due_a_moment_later_is_given_up()
    {
        var kept = Deferred(Start);
        var late = Deferred(Start);
        await _queue.EnqueueAsync(kept, CancellationToken.None);
        await _queue.EnqueueAsync(late, CancellationToken.None);
        _resender.Script = item => SendOutcome.Deferred(
            item.Email, EmailChannel.Smtp, Start + _options.MaxDeferral + (ReferenceEquals(item, kept) ? TimeSpan.Zero : TimeSpan.FromTicks(1)), Failure(SmtpFailureKind.SendLimitReached));

        await Dispatcher().DispatchDueAsync(CancellationToken.None);

        _listener.Outcomes.Should().ContainSingle().Which.MessageId.Should().Be(late.MessageId);
        var back = (await _queue.TakeDueAsync(Start + _options.MaxDeferral, 10, CancellationToken.None)).Should().ContainSingle().Subject;
        back.MessageId.Should().Be(kept.MessageId);
    }

    [Fact]
    public async Task A_give_up_after_settings_that_could_not_be_loaded_says_so_before_the_advice()
    {
        _options.MaxDeferredAttempts = 1;
        var item = Deferred(Start);
        await _queue.EnqueueAsync(item, CancellationToken.None);
        _resender.Script = _ => throw new EmailSettingsException("paws", "The email settings of business 'paws' are invalid: the host is empty.", ["Smtp.Host"]);

        await Dispatcher().DispatchDueAsync(CancellationToken.None);

        var failed = _listener.Outcomes.Should().ContainSingle().Subject;
        failed.Status.Should().Be(SendStatus.Failed);
        failed.Reason.Should().Contain("Last try: The email settings of business 'paws' are invalid: the host is empty.")
            .And.EndWith(item.LastFailure.Advice);
    }

    [Fact]
    public async Task A_give_up_after_a_last_try_that_was_answered_names_no_last_try_error()
    {
        _options.MaxDeferredAttempts = 1;
        var item = Deferred(Start);
        await _queue.EnqueueAsync(item, CancellationToken.None);
        _resender.Script = i => SendOutcome.Deferred(i.Email, EmailChannel.Smtp, Now + TimeSpan.FromHours(1), Failure(SmtpFailureKind.SendLimitReached));

        await Dispatcher().DispatchDueAsync(CancellationToken.None);

        _listener.Outcomes.Should().ContainSingle().Which.Reason.Should().NotContain("Last try");
    }

    [Fact]
    public async Task An_email_due_exactly_now_is_taken_and_is_no_longer_held_for_its_account()
    {
        var item = new DeferredEmail(PolicyTestData.Email(), Start, Failure(SmtpFailureKind.AuthenticationFailed), Start) { AccountFingerprint = "settings-that-failed" };
        await _queue.EnqueueAsync(item, CancellationToken.None);

        (await _queue.HeldAccountsAsync(Start, CancellationToken.None)).Should().BeEmpty("it goes out now anyway");
        (await _queue.ReleaseAsync("paws", "corrected-settings", Start, CancellationToken.None)).Should().Be(0);
        (await _queue.TakeDueAsync(Start, 10, CancellationToken.None)).Should().ContainSingle().Which.Should().BeSameAs(item);
    }

    [Fact]
    public async Task An_email_due_a_moment_from_now_is_held_for_its_account_and_released_by_corrected_settings()
    {
        var item = new DeferredEmail(PolicyTestData.Email(), Start + TimeSpan.FromTicks(1), Failure(SmtpFailureKind.AuthenticationFailed), Start) { AccountFingerprint = "settings-that-failed" };
        await _queue.EnqueueAsync(item, CancellationToken.None);

        (await _queue.TakeDueAsync(Start, 10, CancellationToken.None)).Should().BeEmpty();
        (await _queue.HeldAccountsAsync(Start, CancellationToken.None)).Should().ContainSingle().Which.Fingerprint.Should().Be("settings-that-failed");
        (await _queue.ReleaseAsync("paws", "corrected-settings", Start, CancellationToken.None)).Should().Be(1);
        (await _queue.TakeDueAsync(Start, 10, CancellationToken.None)).Should().ContainSingle().Which.MessageId.Should().Be(item.MessageId);
    }

    private sealed class Resender : IDeferredEmailResender
    {
        public Func<DeferredEmail, SendOutcome> Script { get; set; } = _ => throw new InvalidOperationException("no script");

        public Task<SendOutcome> ResendAsync(DeferredEmail item, CancellationToken cancellationToken) => Task.FromResult(Script(item));
    }

    private sealed class Listener : IEmailOutcomeListener
    {
        private readonly List<SendOutcome> _outcomes = [];

        public IReadOnlyList<SendOutcome> Outcomes
        {
            get
            {
                lock (_outcomes)
                {
                    return [.. _outcomes];
                }
            }
        }

        public ValueTask OnOutcomeAsync(SendOutcome outcome, CancellationToken cancellationToken)
        {
            lock (_outcomes)
            {
                _outcomes.Add(outcome);
            }

            return ValueTask.CompletedTask;
        }
    }
}
