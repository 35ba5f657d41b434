using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PetSitter.Email.Tests.Support;
using static PetSitter.Email.Tests.Support.PolicyTestData;

namespace PetSitter.Email.Tests.Deferral;

/// <summary>
/// The words the owner reads when held mail is given up on, and the settings a held email stays held under after a try
/// made with new ones (survivors of the 2026-12-05 run over Deferral).
/// </summary>
public sealed class DeferredGiveUpWordingTests
{
    private readonly FakeTimeProvider _time = new(Start);
    private readonly InMemoryDeferredEmailQueue _queue = new();
    private readonly List<SendOutcome> _outcomes = [];
    private readonly FallbackPolicyOptions _options = new() { MaxDeferredAttempts = 1 };
    private Func<DeferredEmail, SendOutcome> _resend = _ => throw new InvalidOperationException("no script");

    [Fact]
    public async Task A_give_up_after_a_try_that_crashed_names_the_kind_of_error_not_its_internals()
    {
        var item = Deferred(Start);
        await _queue.EnqueueAsync(item, CancellationToken.None);
        _resend = _ => throw new InvalidOperationException("Sequence contains no elements (at Pets.Billing.InvoiceRenderer.Render)");

        await Dispatcher().DispatchDueAsync(CancellationToken.None);

        var reason = _outcomes.Should().ContainSingle().Subject.Reason;
        reason.Should().Contain("Last try: sending it again failed (InvalidOperationException). ")
            .And.NotContain("InvoiceRenderer", "the owner reads this; the app's log has the exception")
            .And.EndWith(item.LastFailure.Advice);
    }

    [Fact]
    public async Task A_give_up_whose_last_try_was_answered_goes_from_what_happened_straight_to_the_advice()
    {
        var item = Deferred(Start);
        await _queue.EnqueueAsync(item, CancellationToken.None);
        _resend = i => SendOutcome.Deferred(i.Email, EmailChannel.Smtp, Start.AddHours(1), Failure(SmtpFailureKind.SendLimitReached));

        await Dispatcher().DispatchDueAsync(CancellationToken.None);

        _outcomes.Should().ContainSingle().Which.Reason.Should()
            .EndWith($"but your email account still could not send it. {Failure(SmtpFailureKind.SendLimitReached).Advice}");
    }

    [Fact]
    public async Task An_email_deferred_again_after_a_try_with_new_settings_is_held_for_the_new_settings()
    {
        _options.MaxDeferredAttempts = 5;
        var item = new DeferredEmail(PolicyTestData.Email(), Start, Failure(SmtpFailureKind.AuthenticationFailed), Start) { AccountFingerprint = "settings-that-failed" };
        await _queue.EnqueueAsync(item, CancellationToken.None);
        _resend = i =>
        {
            var again = SendOutcome.Deferred(i.Email, EmailChannel.Smtp, Start.AddHours(1), Failure(SmtpFailureKind.AuthenticationFailed));
            again.AccountFingerprint = "corrected-settings-that-failed-too";
            return again;
        };

        await Dispatcher().DispatchDueAsync(CancellationToken.None);

        (await _queue.HeldAccountsAsync(Start, CancellationToken.None)).Should().ContainSingle()
            .Which.Fingerprint.Should().Be("corrected-settings-that-failed-too", "saving those settings again must not release it");
    }

    private DeferredEmailDispatcher Dispatcher() =>
        new(_queue, new Resender(this), [new Listener(this)], Options.Create(_options), _time, TestLogging.For<DeferredEmailDispatcher>());

    private sealed class Resender(DeferredGiveUpWordingTests test) : IDeferredEmailResender
    {
        public Task<SendOutcome> ResendAsync(DeferredEmail item, CancellationToken cancellationToken) => Task.FromResult(test._resend(item));
    }

    private sealed class Listener(DeferredGiveUpWordingTests test) : IEmailOutcomeListener
    {
        public ValueTask OnOutcomeAsync(SendOutcome outcome, CancellationToken cancellationToken)
        {
            test._outcomes.Add(outcome);
            return ValueTask.CompletedTask;
        }
    }
}
