using static PetSitter.Email.Tests.Support.PolicyTestData;

namespace PetSitter.Email.Tests.Health;

/// <summary>
/// What an app shows or logs when it prints a health snapshot or a change (a dashboard line, a log message), and the
/// edge of the probe interval options an operator may set on purpose.
/// </summary>
public sealed class AccountHealthTextTests
{
    [Fact]
    public void A_health_change_reads_as_the_business_the_old_and_new_state_the_kind_and_when()
    {
        var failing = new AccountHealth("paws", AccountHealthState.Failing, SmtpFailureKind.AuthenticationFailed, "Check the password.", Start, Start.AddHours(6));

        var opened = new AccountHealthChangedEventArgs(AccountHealth.Healthy("paws"), failing, Start);
        var closed = new AccountHealthChangedEventArgs(failing, AccountHealth.Healthy("paws", Start.AddHours(6)), Start.AddHours(6));

        opened.ToString().Should().Be($"paws: Healthy -> Failing (AuthenticationFailed) at {Start:O}");
        closed.ToString().Should().Be($"paws: Failing -> Healthy at {Start.AddHours(6):O}", "a healthy account has no failure kind to name");
    }

    [Fact]
    public void Health_snapshots_read_as_healthy_or_throttled_until_the_reset_with_the_advice()
    {
        var throttled = new AccountHealth("paws", AccountHealthState.Throttled, SmtpFailureKind.SendLimitReached, "Wait for the reset.", Start, Start.AddDays(1));

        AccountHealth.Healthy("paws").ToString().Should().Be("paws: healthy");
        throttled.ToString().Should().Be($"paws: throttled (SendLimitReached) until {Start.AddDays(1):O}: Wait for the reset.");
    }

    [Fact]
    public void A_longest_probe_interval_equal_to_the_first_one_is_accepted_and_a_shorter_one_is_refused()
    {
        var validator = new AccountHealthOptionsCustomValidator();

        validator.Validate(null, new AccountHealthOptions { InitialProbeInterval = TimeSpan.FromMinutes(5), MaxProbeInterval = TimeSpan.FromMinutes(5) })
            .Succeeded.Should().BeTrue("a constant probe interval is a valid choice");
        var refused = validator.Validate(null, new AccountHealthOptions { InitialProbeInterval = TimeSpan.FromMinutes(5), MaxProbeInterval = TimeSpan.FromMinutes(4) });
        refused.Failed.Should().BeTrue();
        refused.FailureMessage.Should().Contain("MaxProbeInterval").And.Contain("InitialProbeInterval");
    }
}
