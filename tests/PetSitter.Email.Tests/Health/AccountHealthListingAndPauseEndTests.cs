using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PetSitter.Email.Tests.Support;
using static PetSitter.Email.Tests.Support.PolicyTestData;

namespace PetSitter.Email.Tests.Health;

/// <summary>
/// What the dashboard's list of unhealthy accounts tells the app when a throttle has run out, and spam refusals at the
/// very moment a marketing pause ends (survivors of the 2026-12-04 run over AccountHealthTracker).
/// </summary>
public sealed class AccountHealthListingAndPauseEndTests
{
    private const string Business = "paws";
    private const string Credentials = "FINGERPRINT-1";
    private readonly FakeTimeProvider _time = new(Start);
    private readonly List<AccountHealthChangedEventArgs> _events = [];

    private DateTimeOffset Now => _time.GetUtcNow();

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

    private AccountHealthTracker Tracker()
    {
        var tracker = new AccountHealthTracker(Options.Create(new AccountHealthOptions()), _time, TestLogging.For<AccountHealthTracker>());
        tracker.HealthChanged += (_, e) => _events.Add(e);
        return tracker;
    }
}
