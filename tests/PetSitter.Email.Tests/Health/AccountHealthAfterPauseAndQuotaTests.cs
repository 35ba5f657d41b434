using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PetSitter.Email.Tests.Support;
using static PetSitter.Email.Tests.Support.PolicyTestData;

namespace PetSitter.Email.Tests.Health;

/// <summary>
/// The breaker once a marketing pause or a provider's quota is over, and while a quota holds: what the gate lets
/// through, which events the dashboard's listing raises, and which reply the owner is shown.
/// </summary>
public sealed class AccountHealthAfterPauseAndQuotaTests
{
    private const string Business = "paws";
    private const string Credentials = "FINGERPRINT-1";
    private readonly FakeTimeProvider _time = new(Start);
    private readonly List<AccountHealthChangedEventArgs> _events = [];

    private DateTimeOffset Now => _time.GetUtcNow();

    [Fact]
    public void Listing_unhealthy_accounts_after_two_quota_resets_tells_the_app_both_accounts_are_healthy_again()
    {
        var tracker = Tracker();
        tracker.RecordFailure("paws", Credentials, Failure(SmtpFailureKind.SendLimitReached), Now, resetsAt: Now.AddHours(1));
        tracker.RecordFailure("whiskers", Credentials, Failure(SmtpFailureKind.SendLimitReached), Now, resetsAt: Now.AddHours(1));
        _events.Clear();

        _time.Advance(TimeSpan.FromHours(1));
        tracker.GetUnhealthy().Should().BeEmpty();

        _events.Select(e => e.BusinessId).Should().BeEquivalentTo(["paws", "whiskers"], "each account whose quota reset is news for the app");
        _events.Should().OnlyContain(e => e.Current.IsHealthy);
    }

    [Fact]
    public void Once_the_marketing_pause_is_over_the_probe_of_a_failing_account_may_be_a_marketing_email()
    {
        var tracker = Tracker();
        PauseMarketing(tracker);
        tracker.RecordFailure(Business, Credentials, Failure(SmtpFailureKind.AuthenticationFailed), Now);

        // A day later the pause is over, and the wrong password's probe is due (six hours by default).
        _time.Advance(AccountHealthTracker.MarketingPauseDuration);
        var gate = tracker.Check(Business, Credentials, Now);

        gate.IsProbe.Should().BeTrue();
        var marketing = gate.For(EmailCategory.Marketing);
        marketing.IsAllowed.Should().BeTrue("the spam signal is a day old: marketing is no longer held back");
        marketing.MarketingPause.Should().BeNull();
    }

    [Fact]
    public void Once_the_marketing_pause_is_over_the_go_ahead_is_the_plain_one_without_a_pause_end()
    {
        var tracker = Tracker();
        PauseMarketing(tracker);

        _time.Advance(AccountHealthTracker.MarketingPauseDuration);
        var gate = tracker.Check(Business, Credentials, Now);

        gate.Should().Be(AccountGate.Allowed, "nothing is paused any more, so the gate says nothing about a pause");
        gate.MarketingPausedUntil.Should().Be(default);
    }

    [Fact]
    public void A_second_quota_reply_with_the_same_reset_is_not_news_and_the_owner_keeps_seeing_the_first()
    {
        var tracker = Tracker();
        var resets = Now.AddHours(24);

        // Gmail's two wordings of its daily limit (providers.md, "daily quota" row; https://support.google.com/a/answer/166852).
        tracker.RecordFailure(Business, Credentials, Failure(SmtpFailureKind.SendLimitReached, reply: "5.4.5 Daily user sending limit exceeded."), Now, resetsAt: resets);
        var first = tracker.GetHealth(Business);
        _events.Clear();

        // A send let through before the first reply was recorded comes back with the same limit and the same reset.
        _time.Advance(TimeSpan.FromSeconds(5));
        tracker.RecordFailure(Business, Credentials, Failure(SmtpFailureKind.SendLimitReached, reply: "5.4.5 Daily sending quota exceeded"), Now, resetsAt: resets);

        var health = tracker.GetHealth(Business);
        health.LastReply.Should().Be("5.4.5 Daily user sending limit exceeded.");
        health.Should().BeSameAs(first, "nothing changed for the owner");
        _events.Should().BeEmpty();
    }

    [Fact]
    public void Listing_unhealthy_accounts_after_the_quota_reset_tells_the_app_the_account_is_healthy_again()
    {
        var tracker = Tracker();
        tracker.RecordFailure(Business, Credentials, Failure(SmtpFailureKind.SendLimitReached), Now, resetsAt: Now.AddHours(1));
        tracker.GetUnhealthy().Should().ContainSingle(h => h.BusinessId == Business && h.State == AccountHealthState.Throttled);
        _events.Clear();

        _time.Advance(TimeSpan.FromHours(1));
        var unhealthy = tracker.GetUnhealthy();

        unhealthy.Should().BeEmpty("the provider's limit reset an hour after it was reached");
        _events.Should().ContainSingle("an app that shows health from the events must see the account come back")
            .Which.Current.IsHealthy.Should().BeTrue();
    }

    [Fact]
    public void Spam_refusals_at_the_moment_the_marketing_pause_ends_start_a_new_pause()
    {
        var tracker = Tracker();
        for (var i = 0; i < AccountHealthTracker.SpamSignalCount; i++)
        {
            tracker.RecordFailure(Business, Credentials, Failure(SmtpFailureKind.RejectedAsSpam), Now);
        }

        _time.Advance(AccountHealthTracker.MarketingPauseDuration);

        // The pause ends now; the provider goes on refusing the business's mail as spam.
        for (var i = 0; i < AccountHealthTracker.SpamSignalCount; i++)
        {
            tracker.RecordFailure(Business, Credentials, Failure(SmtpFailureKind.RejectedAsSpam), Now);
        }

        _time.Advance(TimeSpan.FromTicks(1));
        var gate = tracker.Check(Business, Credentials, Now);
        gate.For(EmailCategory.Marketing).IsAllowed.Should().BeFalse("three more refusals as spam within the hour are the signal again");
        gate.MarketingPausedUntil.Should().Be(Start + (2 * AccountHealthTracker.MarketingPauseDuration));
        tracker.GetHealth(Business).Kind.Should().Be(SmtpFailureKind.RejectedAsSpam);
    }

    private void PauseMarketing(AccountHealthTracker tracker)
    {
        for (var i = 0; i < AccountHealthTracker.SpamSignalCount; i++)
        {
            tracker.RecordFailure(Business, Credentials, Failure(SmtpFailureKind.RejectedAsSpam), Now);
        }

        tracker.Check(Business, Credentials, Now).For(EmailCategory.Marketing).IsAllowed.Should().BeFalse("three refusals as spam within the hour pause marketing");
    }

    private AccountHealthTracker Tracker()
    {
        var tracker = new AccountHealthTracker(Options.Create(new AccountHealthOptions()), _time, TestLogging.For<AccountHealthTracker>());
        tracker.HealthChanged += (_, e) => _events.Add(e);
        return tracker;
    }
}
