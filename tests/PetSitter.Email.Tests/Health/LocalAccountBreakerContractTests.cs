using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PetSitter.Email.Tests.Support;
using static PetSitter.Email.Tests.Support.PolicyTestData;

namespace PetSitter.Email.Tests.Health;

/// <summary>
/// What a shared breaker (the Redis one, or an app's own) gets from this process's breaker through
/// <see cref="ILocalAccountBreaker"/> when the shared store decides: the marketing pause this process counted is added to
/// the store's verdict, and a send that went through clears the count of greeting refusals.
/// </summary>
public sealed class LocalAccountBreakerContractTests
{
    private const string Business = "paws";
    private const string OldCredentials = "FINGERPRINT-1";
    private const string NewCredentials = "FINGERPRINT-2";
    private readonly FakeTimeProvider _time = new(Start);
    private readonly List<AccountHealthChangedEventArgs> _events = [];

    // Gmail's 421 at the greeting, as in AccountHealthTrackerTests (providers.md, Gmail SMTP error reference:
    // https://support.google.com/a/answer/3726730).
    private static readonly SmtpFailure GreetingRefused = new(
        SmtpFailureKind.Transient, false, true, SmtpFailureAdvice.For(SmtpFailureKind.Transient), SmtpStage.Greeting, 421, "4.3.0 Temporary System Problem. Try again later");

    private DateTimeOffset Now => _time.GetUtcNow();

    private AccountHealthTracker Local()
    {
        var tracker = new AccountHealthTracker(Options.Create(new AccountHealthOptions()), _time, TestLogging.For<AccountHealthTracker>());
        tracker.HealthChanged += (_, e) => _events.Add(e);
        return tracker;
    }

    /// <summary>The spam signal, counted here as a shared breaker counts it: its spam refusals go through <see cref="ILocalAccountBreaker.CountSignals"/>.</summary>
    private static void RefusedAsSpamUntilPaused(AccountHealthTracker local, string credentials, DateTimeOffset now)
    {
        for (var i = 0; i < AccountHealthTracker.SpamSignalCount; i++)
        {
            local.CountSignals(Business, credentials, Failure(SmtpFailureKind.RejectedAsSpam), now);
        }
    }

    [Fact]
    public void A_shared_breakers_go_ahead_keeps_marketing_off_smtp_while_this_process_has_it_paused_for_spam()
    {
        var local = Local();
        RefusedAsSpamUntilPaused(local, OldCredentials, Now);

        var gate = local.WithMarketingPause(Business, OldCredentials, AccountGate.Allowed, Now);

        gate.For(EmailCategory.Invoice).IsAllowed.Should().BeTrue("only marketing is paused by the spam signal");
        var marketing = gate.For(EmailCategory.Marketing);
        marketing.IsAllowed.Should().BeFalse();
        marketing.Failure!.Kind.Should().Be(SmtpFailureKind.RejectedAsSpam);
        marketing.RetryAt.Should().Be(Now + AccountHealthTracker.MarketingPauseDuration);
    }

    [Fact]
    public void A_shared_breakers_verdict_on_an_account_this_process_has_not_seen_is_passed_on_as_it_is()
    {
        // The first send of this instance for the account: nothing counted here, so nothing to add.
        var local = Local();

        local.WithMarketingPause(Business, OldCredentials, AccountGate.Allowed, Now).Should().Be(AccountGate.Allowed);
        local.WithMarketingPause(Business, OldCredentials, AccountGate.Probe, Now).Should().Be(AccountGate.Probe);
    }

    [Fact]
    public void A_shared_breakers_probe_stays_the_probe_and_is_not_offered_a_marketing_email_during_the_pause()
    {
        var local = Local();
        RefusedAsSpamUntilPaused(local, OldCredentials, Now);

        var gate = local.WithMarketingPause(Business, OldCredentials, AccountGate.Probe, Now);

        gate.IsProbe.Should().BeTrue();
        gate.For(EmailCategory.Invoice).IsAllowed.Should().BeTrue();
        gate.For(EmailCategory.Marketing).IsAllowed.Should().BeFalse();
    }

    [Fact]
    public void Marketing_goes_through_a_shared_breaker_again_when_the_pause_ends_and_the_account_shows_healthy()
    {
        var local = Local();
        RefusedAsSpamUntilPaused(local, OldCredentials, Now);
        _time.Advance(AccountHealthTracker.MarketingPauseDuration);

        var gate = local.WithMarketingPause(Business, OldCredentials, AccountGate.Allowed, Now);

        gate.Should().Be(AccountGate.Allowed);
        local.GetHealth(Business).IsHealthy.Should().BeTrue();
        _events.Select(e => e.Current.State).Should().Equal(AccountHealthState.Failing, AccountHealthState.Healthy);
    }

    [Fact]
    public void A_marketing_pause_counted_against_the_old_settings_does_not_hold_marketing_sent_with_the_new_ones()
    {
        var local = Local();
        RefusedAsSpamUntilPaused(local, OldCredentials, Now);

        local.WithMarketingPause(Business, NewCredentials, AccountGate.Allowed, Now).Should().Be(AccountGate.Allowed);
    }

    [Fact]
    public void A_send_that_went_through_a_shared_breaker_starts_the_count_of_greeting_refusals_again()
    {
        var local = Local();
        for (var i = 1; i < AccountHealthTracker.GreetingRefusalCount; i++)
        {
            local.CountSignals(Business, OldCredentials, GreetingRefused, Now);
        }

        local.Connected(Business, OldCredentials);

        for (var i = 1; i < AccountHealthTracker.GreetingRefusalCount; i++)
        {
            local.CountSignals(Business, OldCredentials, GreetingRefused, Now).Kind.Should().Be(SmtpFailureKind.Transient, "the server let a connection in since the first refusals");
        }

        local.CountSignals(Business, OldCredentials, GreetingRefused, Now).Kind.Should().Be(SmtpFailureKind.AccountUnavailable);
    }

    [Fact]
    public void A_send_with_the_old_settings_going_through_does_not_clear_the_greeting_refusals_of_the_new_ones()
    {
        var local = Local();
        for (var i = 1; i < AccountHealthTracker.GreetingRefusalCount; i++)
        {
            local.CountSignals(Business, NewCredentials, GreetingRefused, Now);
        }

        local.Connected(Business, OldCredentials);

        local.CountSignals(Business, NewCredentials, GreetingRefused, Now).Kind.Should().Be(SmtpFailureKind.AccountUnavailable);
    }

    [Fact]
    public void An_account_this_process_never_saw_counts_as_closed()
    {
        // A shared breaker spares the store a round trip for a success on an account this process sees closed;
        // one it never saw (the first send after a restart) has nothing failing here either.
        var local = Local();

        local.IsClosed(Business, OldCredentials).Should().BeTrue();
    }
}
