using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PetSitter.Email.Tests.Support;
using static PetSitter.Email.Tests.Support.PolicyTestData;

namespace PetSitter.Email.Tests.Health;

/// <summary>
/// The breaker at its edges: reports that arrive with credentials the owner already replaced, the moments a pause or
/// a quota window ends, the greeting count a later failure clears, and what the escalated failures say about
/// themselves when they are stored or shown.
/// </summary>
public sealed class AccountHealthEdgeTests
{
    private const string Business = "paws";
    private const string OldCredentials = "FINGERPRINT-1";
    private const string NewCredentials = "FINGERPRINT-2";
    private readonly FakeTimeProvider _time = new(Start);
    private readonly AccountHealthOptions _options = new();
    private readonly List<AccountHealthChangedEventArgs> _events = [];

    // Gmail's 421 at the greeting, as in AccountHealthTrackerTests (providers.md, Gmail SMTP error reference:
    // https://support.google.com/a/answer/3726730).
    private static readonly SmtpFailure GreetingRefused = new(
        SmtpFailureKind.Transient, false, true, SmtpFailureAdvice.For(SmtpFailureKind.Transient), SmtpStage.Greeting, 421, "4.3.0 Temporary System Problem. Try again later");

    private DateTimeOffset Now => _time.GetUtcNow();

    private AccountHealthTracker Tracker()
    {
        var tracker = new AccountHealthTracker(Options.Create(_options), _time, TestLogging.For<AccountHealthTracker>());
        tracker.HealthChanged += (_, e) => _events.Add(e);
        return tracker;
    }

    /// <summary>The owner fixed the password, and the new one failed too: the account is failing with the new credentials.</summary>
    private AccountHealthTracker FailingWithNewCredentials()
    {
        var tracker = Tracker();
        tracker.RecordFailure(Business, OldCredentials, Failure(SmtpFailureKind.AuthenticationFailed), Now);
        tracker.Check(Business, NewCredentials, Now).IsAllowed.Should().BeTrue("new settings are tried at once");
        tracker.RecordFailure(Business, NewCredentials, Failure(SmtpFailureKind.AuthenticationFailed), Now);
        return tracker;
    }

    [Fact]
    public void A_send_with_the_old_password_that_succeeds_late_does_not_clear_a_failure_of_the_new_one()
    {
        var tracker = FailingWithNewCredentials();

        tracker.RecordSuccess(Business, OldCredentials, Now);

        tracker.GetHealth(Business).State.Should().Be(AccountHealthState.Failing);
        tracker.Check(Business, NewCredentials, Now).IsAllowed.Should().BeFalse("the new password is still the one that failed");
    }

    [Fact]
    public void A_refused_recipient_of_a_send_with_the_old_password_does_not_settle_the_new_passwords_probe()
    {
        var tracker = FailingWithNewCredentials();
        _time.Advance(_options.CredentialProbeInterval);
        tracker.Check(Business, NewCredentials, Now).IsProbe.Should().BeTrue();

        tracker.RecordFailure(Business, OldCredentials, Failure(SmtpFailureKind.RecipientRejected), Now);

        tracker.GetHealth(Business).State.Should().Be(AccountHealthState.Failing, "only the probe with the new password can prove it works");
        tracker.Check(Business, NewCredentials, Now).IsAllowed.Should().BeFalse("the probe is still in flight");
    }

    [Fact]
    public void A_failure_past_the_greeting_starts_the_count_of_421_greetings_again()
    {
        var tracker = Tracker();
        for (var i = 0; i < AccountHealthTracker.GreetingRefusalCount - 1; i++)
        {
            tracker.CountSignals(Business, OldCredentials, GreetingRefused, Now);
        }

        // The server let a connection in and judged a recipient: the mailbox is there.
        tracker.CountSignals(Business, OldCredentials, Failure(SmtpFailureKind.RecipientRejected), Now);

        tracker.CountSignals(Business, OldCredentials, GreetingRefused, Now).Should().BeSameAs(GreetingRefused);
    }

    [Fact]
    public void A_connection_dropped_at_the_greeting_neither_counts_as_a_421_nor_clears_the_count()
    {
        var tracker = Tracker();
        var dropped = new SmtpFailure(SmtpFailureKind.Transient, false, true, SmtpFailureAdvice.For(SmtpFailureKind.Transient), SmtpStage.Greeting, null, null);
        for (var i = 0; i < AccountHealthTracker.GreetingRefusalCount - 1; i++)
        {
            tracker.CountSignals(Business, OldCredentials, GreetingRefused, Now);
        }

        tracker.CountSignals(Business, OldCredentials, dropped, Now).Should().BeSameAs(dropped);

        tracker.CountSignals(Business, OldCredentials, GreetingRefused, Now).Kind.Should().Be(SmtpFailureKind.AccountUnavailable,
            "the server never let that connection in either, so the fifth 421 still makes the mailbox unavailable");
    }

    [Fact]
    public void Repeated_421_greetings_become_a_permanent_account_failure_named_for_its_rule()
    {
        var tracker = Tracker();
        SmtpFailure escalated = GreetingRefused;
        for (var i = 0; i < AccountHealthTracker.GreetingRefusalCount; i++)
        {
            escalated = tracker.CountSignals(Business, OldCredentials, GreetingRefused, Now);
        }

        escalated.IsTransient.Should().BeFalse("trying the same message again soon does not help an unavailable mailbox");
        SmtpFailureStorage.RuleNameOf(escalated).Should().Be("greeting-refused-repeatedly", "a shared breaker stores the rule and another instance reads it back");
        escalated.Reply.Should().Be(GreetingRefused.Reply);
    }

    [Fact]
    public void The_spam_signal_is_a_permanent_account_failure_named_for_its_rule()
    {
        var tracker = Tracker();
        for (var i = 0; i < AccountHealthTracker.SpamSignalCount; i++)
        {
            tracker.RecordFailure(Business, OldCredentials, Failure(SmtpFailureKind.RejectedAsSpam), Now);
        }

        var marketing = tracker.Check(Business, OldCredentials, Now).For(EmailCategory.Marketing);

        marketing.Failure!.IsTransient.Should().BeFalse("marketing waits for the pause to end, not for a retry");
        SmtpFailureStorage.RuleNameOf(marketing.Failure).Should().Be("spam-signal");
        marketing.RetryAt.Should().Be(Now + AccountHealthTracker.MarketingPauseDuration);
    }

    [Fact]
    public void Marketing_goes_over_smtp_again_at_exactly_the_end_of_the_pause()
    {
        var tracker = Tracker();
        for (var i = 0; i < AccountHealthTracker.SpamSignalCount; i++)
        {
            tracker.RecordFailure(Business, OldCredentials, Failure(SmtpFailureKind.RejectedAsSpam), Now);
        }

        _time.Advance(AccountHealthTracker.MarketingPauseDuration - TimeSpan.FromTicks(1));
        tracker.Check(Business, OldCredentials, Now).For(EmailCategory.Marketing).IsAllowed.Should().BeFalse();

        _time.Advance(TimeSpan.FromTicks(1));
        tracker.Check(Business, OldCredentials, Now).For(EmailCategory.Marketing).IsAllowed.Should().BeTrue();
        tracker.GetHealth(Business).IsHealthy.Should().BeTrue();
        _events.Select(e => e.State).Should().Equal(AccountHealthState.Failing, AccountHealthState.Healthy);
    }

    [Fact]
    public void A_quota_reset_time_of_right_now_is_not_trusted_and_the_default_throttle_applies()
    {
        var tracker = Tracker();

        tracker.RecordFailure(Business, OldCredentials, Failure(SmtpFailureKind.SendLimitReached), Now, resetsAt: Now);

        var gate = tracker.Check(Business, OldCredentials, Now);
        gate.IsAllowed.Should().BeFalse("a limit reply that says it is already over is not a reason to send again at once");
        gate.RetryAt.Should().Be(Now + _options.DefaultThrottleDuration);
        tracker.GetHealth(Business).State.Should().Be(AccountHealthState.Throttled);
    }

    [Fact]
    public void A_server_reply_of_exactly_500_characters_is_shown_whole_and_a_longer_one_is_cut_there()
    {
        var tracker = Tracker();
        var exact = "5.7.0 " + new string('x', 494);
        tracker.RecordFailure(Business, OldCredentials, Failure(SmtpFailureKind.AccountUnavailable, reply: exact), Now);
        tracker.GetHealth(Business).LastReply.Should().Be(exact);

        tracker.RecordFailure("claws", OldCredentials, Failure(SmtpFailureKind.AccountUnavailable, reply: exact + "y"), Now);
        tracker.GetHealth("claws").LastReply.Should().Be(exact + "…");
    }
    [Fact]
    public void A_shared_breaker_seen_with_new_settings_ends_the_marketing_pause_of_the_old_ones()
    {
        var tracker = Tracker();
        for (var i = 0; i < AccountHealthTracker.SpamSignalCount; i++)
        {
            tracker.RecordFailure(Business, OldCredentials, Failure(SmtpFailureKind.RejectedAsSpam), Now);
        }

        tracker.Mirror(Business, NewCredentials, AccountBreakerState.Closed, Now);

        tracker.GetHealth(Business).IsHealthy.Should().BeTrue("saving new settings is the owner acting on the spam signal");
        tracker.WithMarketingPause(Business, NewCredentials, AccountGate.Allowed, Now).For(EmailCategory.Marketing).IsAllowed.Should().BeTrue();
    }

    [Fact]
    public void A_shared_state_that_names_no_failure_reads_as_healthy_here()
    {
        var tracker = Tracker();
        tracker.RecordFailure(Business, OldCredentials, Failure(SmtpFailureKind.AuthenticationFailed), Now);

        // What a store holds when it lost the failure it opened with: nothing to show the owner, nothing to wait for.
        tracker.Mirror(Business, OldCredentials, new AccountBreakerState(Polly.CircuitBreaker.CircuitState.Open, AccountHealthState.Failing, null, Now + TimeSpan.FromHours(6), Now, 0), Now);

        tracker.GetHealth(Business).IsHealthy.Should().BeTrue();
        tracker.IsClosed(Business, OldCredentials).Should().BeTrue();
    }
}
