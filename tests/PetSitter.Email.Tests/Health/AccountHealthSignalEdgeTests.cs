using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PetSitter.Email.Tests.Support;
using static PetSitter.Email.Tests.Support.PolicyTestData;

namespace PetSitter.Email.Tests.Health;

/// <summary>
/// The spam signal's count and window at their edges, the end of the marketing pause next to an open breaker, and what
/// a success or a cancelled check tells the breaker (survivors of the 2026-12-04 run over AccountHealthTracker).
/// </summary>
public sealed class AccountHealthSignalEdgeTests
{
    private const string Business = "paws";
    private const string Credentials = "FINGERPRINT-1";
    private readonly FakeTimeProvider _time = new(Start);
    private readonly AccountHealthOptions _options = new();

    private DateTimeOffset Now => _time.GetUtcNow();

    private AccountHealthTracker Tracker() => new(Options.Create(_options), _time, TestLogging.For<AccountHealthTracker>());

    [Fact]
    public void Two_spam_refusals_within_an_hour_do_not_pause_marketing()
    {
        var tracker = Tracker();

        tracker.RecordFailure(Business, Credentials, Failure(SmtpFailureKind.RejectedAsSpam), Now);
        tracker.RecordFailure(Business, Credentials, Failure(SmtpFailureKind.RejectedAsSpam), Now);

        tracker.Check(Business, Credentials, Now).For(EmailCategory.Marketing).IsAllowed.Should().BeTrue();
        tracker.GetHealth(Business).IsHealthy.Should().BeTrue();
    }

    [Fact]
    public void A_spam_refusal_exactly_an_hour_old_no_longer_counts_towards_the_signal()
    {
        var tracker = Tracker();
        for (var i = 0; i < AccountHealthTracker.SpamSignalCount; i++)
        {
            tracker.RecordFailure(Business, Credentials, Failure(SmtpFailureKind.RejectedAsSpam), Now);
            _time.Advance(AccountHealthTracker.SpamSignalWindow / 2);
        }

        // Refused at 0, 30 and 60 minutes: at the third, the first is an hour old.
        tracker.Check(Business, Credentials, Now).For(EmailCategory.Marketing).IsAllowed.Should().BeTrue();
    }

    [Fact]
    public void The_end_of_the_marketing_pause_does_not_close_a_breaker_a_wrong_password_opened()
    {
        var tracker = Tracker();
        for (var i = 0; i < AccountHealthTracker.SpamSignalCount; i++)
        {
            tracker.RecordFailure(Business, Credentials, Failure(SmtpFailureKind.RejectedAsSpam), Now);
        }

        _time.Advance(AccountHealthTracker.MarketingPauseDuration - TimeSpan.FromHours(1));
        tracker.RecordFailure(Business, Credentials, Failure(SmtpFailureKind.AuthenticationFailed), Now);
        _time.Advance(TimeSpan.FromHours(1));

        tracker.GetHealth(Business).Kind.Should().Be(SmtpFailureKind.AuthenticationFailed);
        var gate = tracker.Check(Business, Credentials, Now);
        gate.IsAllowed.Should().BeFalse("the password is still wrong; only its probe, hours away, may find otherwise");
        gate.Failure!.Kind.Should().Be(SmtpFailureKind.AuthenticationFailed);
    }

    [Fact]
    public void A_success_of_a_send_let_through_before_the_server_became_unavailable_shows_the_account_healthy()
    {
        var tracker = Tracker();
        tracker.RecordFailure(Business, Credentials, Failure(SmtpFailureKind.AccountUnavailable), Now);

        tracker.RecordSuccess(Business, Credentials, Now);

        tracker.GetHealth(Business).IsHealthy.Should().BeTrue("the server took a message, so the mailbox is there");
        tracker.Check(Business, Credentials, Now).Should().Be(AccountGate.Allowed);
    }

    [Fact]
    public void Health_shows_the_action_the_failure_requires_of_the_owner()
    {
        var tracker = Tracker();

        // Microsoft 365 with SMTP AUTH off for the tenant (/work/shared/providers.md,
        // https://aka.ms/smtp_auth_disabled): the owner has to connect the mailbox with OAuth.
        var refused = new SmtpFailure(
            SmtpFailureKind.AuthenticationFailed, true, false, SmtpFailureAdvice.For(SmtpFailureKind.AuthenticationFailed), SmtpStage.Authenticate, 535,
            "5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.")
        {
            RequiredAction = RequiredAction.ConnectWithOAuth,
        };
        tracker.RecordFailure(Business, Credentials, refused, Now);

        tracker.GetHealth(Business).RequiredAction.Should().Be(RequiredAction.ConnectWithOAuth);
    }

    [Fact]
    public async Task A_cancelled_check_is_cancelled()
    {
        var tracker = Tracker();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var act = async () => await tracker.CheckAsync(Business, Credentials, Now, cancelled.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
    }
}
