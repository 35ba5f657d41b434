using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PetSitter.Email.Tests.Support;
using static PetSitter.Email.Tests.Support.PolicyTestData;

namespace PetSitter.Email.Tests.Health;

/// <summary>
/// The breaker's memory of healthy accounts: dropped after an hour unused, by a sweep that walks every account
/// and so runs at most once an hour, never on every send.
/// </summary>
public sealed class AccountHealthSweepTests
{
    private const string Credentials = "FINGERPRINT-1";
    private readonly FakeTimeProvider _time = new(Start);

    private DateTimeOffset Now => _time.GetUtcNow();

    [Fact]
    public void The_idle_sweep_runs_at_most_once_an_hour()
    {
        var tracker = new AccountHealthTracker(Options.Create(new AccountHealthOptions()), _time, TestLogging.For<AccountHealthTracker>());
        tracker.Check("busy", Credentials, Now);
        _time.Advance(TimeSpan.FromMinutes(5));
        tracker.Check("quiet", Credentials, Now);
        _time.Advance(TimeSpan.FromMinutes(55));
        tracker.Check("busy", Credentials, Now);

        // "quiet" has now been unused for an hour, but the last sweep was five minutes ago.
        _time.Advance(TimeSpan.FromMinutes(5));
        tracker.Check("busy", Credentials, Now);
        tracker.TrackedAccounts.Should().Be(2);

        _time.Advance(TimeSpan.FromMinutes(55));
        tracker.Check("busy", Credentials, Now);
        tracker.TrackedAccounts.Should().Be(1, "the hourly sweep dropped the idle healthy account");
    }
}
