using Microsoft.Extensions.Time.Testing;
using PetSitter.Email.Redis.Tests.Support;

namespace PetSitter.Email.Redis.Tests.Health;

/// <summary>
/// What one instance reports to the shared breaker and what every instance then sees: how long each kind of failure
/// holds the fleet, and what a probe's success or its failure that is not the account's does.
/// </summary>
[Collection(RedisGroup.Name)]
public sealed class SharedBreakerVerdictTests(RedisFixture redis) : IAsyncLifetime
{
    private const string BusinessId = "paws";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero));
    private readonly string _prefix = RedisFixture.NewPrefix();
    private readonly Fleet _fleet = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _fleet.DisposeAsync().AsTask();

    private DateTimeOffset Now => _time.GetUtcNow();

    [Fact]
    public async Task An_expired_OAuth_grant_found_by_one_instance_holds_every_instance_for_the_credential_probe_interval()
    {
        var (finder, other) = (NewInstance(), NewInstance());

        // The token endpoint refused the refresh token (invalid_grant): there is no reply from the SMTP server.
        await Breaker(finder).RecordFailureAsync(BusinessId, "v1", new SmtpFailure(SmtpFailureKind.CredentialsExpired, true, false, "Connect the account again."), Now, null, default);

        var gate = await Breaker(other).CheckAsync(BusinessId, "v1", Now, default);
        gate.IsAllowed.Should().BeFalse();
        gate.RetryAt.Should().Be(Now + new AccountHealthOptions().CredentialProbeInterval, "like a wrong password, an expired grant waits for the owner, not for the server");
    }

    [Fact]
    public async Task A_quota_reply_with_its_own_reset_time_holds_every_instance_until_then_and_one_without_for_the_default_hour()
    {
        var (finder, other) = (NewInstance(), NewInstance());
        var reset = Now + TimeSpan.FromHours(3);

        // The reset comes from the sending-limit store, not from the reply.
        await Breaker(finder).RecordFailureAsync(BusinessId, "v1", DailyLimit, Now, reset, default);
        (await Breaker(other).CheckAsync(BusinessId, "v1", Now, default)).RetryAt.Should().Be(reset);

        await Breaker(finder).RecordFailureAsync("walks", "w1", DailyLimit, Now, null, default);
        (await Breaker(other).CheckAsync("walks", "w1", Now, default)).RetryAt.Should().Be(Now + new AccountHealthOptions().DefaultThrottleDuration);
    }

    [Fact]
    public async Task The_instance_whose_probe_succeeds_shows_the_account_healthy_at_once_and_says_so()
    {
        var prober = NewInstance();
        var heard = new List<AccountHealthChangedEventArgs>();
        prober.Health.HealthChanged += (_, change) => heard.Add(change);
        await Breaker(NewInstance()).RecordFailureAsync(BusinessId, "v1", MailboxFull, Now, null, default);
        _time.Advance(new AccountHealthOptions().InitialProbeInterval);
        (await Breaker(prober).CheckAsync(BusinessId, "v1", Now, default)).IsProbe.Should().BeTrue();

        await Breaker(prober).RecordSuccessAsync(BusinessId, "v1", Now, default);

        prober.Health.GetHealth(BusinessId).IsHealthy.Should().BeTrue("the probe went through: the owner's dashboard need not wait for the next send");
        heard.Select(h => h.Current.State).Should().Equal(AccountHealthState.Failing, AccountHealthState.Healthy);
    }

    [Fact]
    public async Task A_send_that_succeeds_while_the_fleet_is_throttled_leaves_the_account_throttled_until_the_reset()
    {
        var (finder, sender) = (NewInstance(), NewInstance());
        (await Breaker(sender).CheckAsync(BusinessId, "v1", Now, default)).Should().Be(AccountGate.Allowed, "the send goes out before the quota reply below");
        var reset = Now + TimeSpan.FromHours(2);
        await Breaker(finder).RecordFailureAsync(BusinessId, "v1", DailyLimit, Now, reset, default);
        (await Breaker(sender).CheckAsync(BusinessId, "v1", Now, default)).IsAllowed.Should().BeFalse();

        await Breaker(sender).RecordSuccessAsync(BusinessId, "v1", Now, default);

        sender.Health.GetHealth(BusinessId).State.Should().Be(AccountHealthState.Throttled, "a send let through before the quota reply proves nothing about the quota");
        (await Breaker(finder).CheckAsync(BusinessId, "v1", Now, default)).RetryAt.Should().Be(reset);
    }

    [Fact]
    public async Task A_probe_that_hits_a_passing_error_lets_the_next_send_of_any_instance_probe_again_at_once()
    {
        var (prober, other) = (NewInstance(), NewInstance());
        await Breaker(prober).RecordFailureAsync(BusinessId, "v1", MailboxFull, Now, null, default);
        _time.Advance(new AccountHealthOptions().InitialProbeInterval);
        (await Breaker(prober).CheckAsync(BusinessId, "v1", Now, default)).IsProbe.Should().BeTrue();

        // Gmail's temporary refusal (/work/shared/providers.md, "temporary"): nothing learned about the account.
        await Breaker(prober).RecordFailureAsync(BusinessId, "v1", new SmtpFailure(SmtpFailureKind.Transient, false, true, "Try again.", SmtpStage.MailFrom, 451, "4.3.0 Mail server temporarily rejected message."), Now, null, default);

        (await Breaker(other).CheckAsync(BusinessId, "v1", Now, default)).IsProbe.Should().BeTrue("the probe's question is still open, and another send may ask it now");
    }

    [Fact]
    public async Task A_probe_whose_message_is_refused_proves_the_account_works_and_closes_the_breaker_for_every_instance()
    {
        var (prober, other) = (NewInstance(), NewInstance());
        await Breaker(prober).RecordFailureAsync(BusinessId, "v1", MailboxFull, Now, null, default);
        _time.Advance(new AccountHealthOptions().InitialProbeInterval);
        (await Breaker(prober).CheckAsync(BusinessId, "v1", Now, default)).IsProbe.Should().BeTrue();

        // Gmail's refusal of a recipient that does not exist (/work/shared/providers.md, "no such recipient").
        await Breaker(prober).RecordFailureAsync(BusinessId, "v1", new SmtpFailure(SmtpFailureKind.RecipientRejected, false, false, "Check the address.", SmtpStage.RcptTo, 550, "5.1.1 The email account that you tried to reach does not exist."), Now, null, default);

        (await Breaker(other).CheckAsync(BusinessId, "v1", Now, default)).Should().Be(AccountGate.Allowed);
        prober.Health.GetHealth(BusinessId).IsHealthy.Should().BeTrue();
    }

    // Microsoft 365's full sender mailbox (/work/shared/providers.md, "sender mailbox full").
    private static SmtpFailure MailboxFull => new(
        SmtpFailureKind.AccountUnavailable, true, false, "Empty the mailbox.", SmtpStage.AfterData, 554,
        "5.2.2 mailbox full; STOREDRV.Submission.Exception:QuotaExceededException.MapiExceptionShutoffQuotaExceeded");

    // Gmail's daily limit (/work/shared/providers.md, "daily quota", the older wording).
    private static SmtpFailure DailyLimit => new(
        SmtpFailureKind.SendLimitReached, true, true, "Wait for the daily limit to reset.", SmtpStage.MailFrom, 550, "5.4.5 Daily sending quota exceeded");

    private static IAccountBreaker Breaker(Instance instance) => instance.Get<IAccountBreaker>();

    private Instance NewInstance()
    {
        var instance = new Instance(redis.ConnectionString, _prefix, _time, new Settings());
        _fleet.Add(instance);
        return instance;
    }
}
