using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using NSubstitute;
using PetSitter.Email.Tests.Support;

namespace PetSitter.Email.Tests.Telemetry;

public sealed class AccountHealthCheckTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task No_unhealthy_account_is_healthy()
    {
        var result = await CheckAsync();

        result.Status.Should().Be(HealthStatus.Healthy);
        result.Data.Should().Contain("failing", 0).And.Contain("throttled", 0);
    }

    [Fact]
    public async Task Throttled_accounts_are_counted_but_healthy()
    {
        var result = await CheckAsync(new AccountHealth("biz-1", AccountHealthState.Throttled, SmtpFailureKind.SendLimitReached, until: Now.AddHours(1)));

        result.Status.Should().Be(HealthStatus.Healthy, "a send limit that resets is the account working as its provider allows");
        result.Data.Should().Contain("throttled", 1).And.Contain("throttled.SendLimitReached", 1);
    }

    [Fact]
    public async Task Failing_accounts_make_it_degraded_with_counts_by_state_and_kind_and_nothing_identifying()
    {
        var result = await CheckAsync(
            new AccountHealth("biz-1", AccountHealthState.Failing, SmtpFailureKind.AuthenticationFailed, "Update the password.", lastReply: "535 5.7.8 owner@paws.example rejected"),
            new AccountHealth("biz-2", AccountHealthState.Failing, SmtpFailureKind.AuthenticationFailed),
            new AccountHealth("biz-3", AccountHealthState.Failing, SmtpFailureKind.ProviderRequirementsChanged),
            new AccountHealth("biz-4", AccountHealthState.Throttled, SmtpFailureKind.SendLimitReached));

        result.Status.Should().Be(HealthStatus.Degraded);
        result.Data.Should().BeEquivalentTo(new Dictionary<string, object>
        {
            ["failing"] = 3,
            ["throttled"] = 1,
            ["failing.AuthenticationFailed"] = 2,
            ["failing.ProviderRequirementsChanged"] = 1,
            ["throttled.SendLimitReached"] = 1,
        });
        result.Description.Should().StartWith("3 SMTP account(s) failing").And.NotContain("biz-").And.NotContain("@");
    }

    [Fact]
    public async Task Registered_on_the_health_checks_builder_it_reports_the_librarys_accounts_with_the_chosen_status()
    {
        var services = new ServiceCollection();

        // Microsoft's HealthCheckService needs the host's logging, which the library no longer registers (issue 11).
        services.AddTestLogging();
        services.AddSingleton<IBusinessEmailSettingsProvider>(new Support.StaticSettingsProvider([]));
        services.AddPetSitterEmail();
        services.AddHealthChecks().AddPetSitterEmail(failureStatus: HealthStatus.Unhealthy, tags: ["email"]);
        await using var provider = services.BuildServiceProvider();
        var tracker = provider.GetRequiredService<AccountHealthTracker>();
        var wrongPassword = new SmtpFailure(SmtpFailureKind.AuthenticationFailed, isAccountLevel: true, isTransient: false, "Update the password.", SmtpStage.Authenticate, 535);
        await tracker.RecordFailureAsync("biz-1", "fingerprint", wrongPassword, Now, resetsAt: null, CancellationToken.None);

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync(check => check.Tags.Contains("email"));

        var entry = report.Entries.Should().ContainKey("petsitter-email-accounts").WhoseValue;
        entry.Status.Should().Be(HealthStatus.Unhealthy);
        entry.Data.Should().Contain("failing", 1).And.Contain("failing.AuthenticationFailed", 1);
    }

    private static Task<HealthCheckResult> CheckAsync(params AccountHealth[] unhealthy)
    {
        var monitor = Substitute.For<IAccountHealthMonitor>();
        monitor.GetUnhealthy().Returns(unhealthy);
        var check = new AccountHealthCheck(monitor);
        var registration = new HealthCheckRegistration("petsitter-email-accounts", check, HealthStatus.Degraded, tags: null);
        return check.CheckHealthAsync(new HealthCheckContext { Registration = registration });
    }
}
