using Microsoft.Extensions.Time.Testing;
using PetSitter.Email.Redis.Tests.Support;

namespace PetSitter.Email.Redis.Tests.Outages;

/// <summary>
/// redis-server stops while the fleet's breaker holds failing accounts: each instance goes on from what it last read
/// of them, so a probe another instance has in flight is not doubled and a long wait is not cut short.
/// </summary>
[Collection(RedisOutageGroup.Name)]
public sealed class BreakerOutageMemoryTests(RedisFixture redis) : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero));
    private readonly string _prefix = RedisFixture.NewPrefix();
    private readonly Fleet _fleet = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _fleet.DisposeAsync();
        await redis.Server.StartAgainAsync();
    }

    private DateTimeOffset Now => _time.GetUtcNow();

    [Fact]
    public async Task While_Redis_is_down_an_instance_neither_doubles_a_probe_in_flight_nor_cuts_a_password_wait_short()
    {
        var (prober, observer) = (NewInstance(), NewInstance());
        var (probing, watching) = (prober.Get<IAccountBreaker>(), observer.Get<IAccountBreaker>());

        // Microsoft 365's full sender mailbox and its refusal of a wrong password (/work/shared/providers.md).
        await probing.RecordFailureAsync("paws", "v1", new SmtpFailure(SmtpFailureKind.AccountUnavailable, true, false, "Empty the mailbox.", SmtpStage.AfterData, 554, "5.2.2 mailbox full; STOREDRV.Submission.Exception:QuotaExceededException.MapiExceptionShutoffQuotaExceeded"), Now, null, default);
        await probing.RecordFailureAsync("walks", "w1", new SmtpFailure(SmtpFailureKind.AuthenticationFailed, true, false, "Update the password.", SmtpStage.Authenticate, 535, "5.7.3 Authentication unsuccessful"), Now, null, default);
        _time.Advance(new AccountHealthOptions().InitialProbeInterval);
        (await probing.CheckAsync("paws", "v1", Now, default)).IsProbe.Should().BeTrue();
        (await watching.CheckAsync("paws", "v1", Now, default)).IsAllowed.Should().BeFalse("the other instance's probe is in flight");
        (await watching.CheckAsync("walks", "w1", Now, default)).IsAllowed.Should().BeFalse();

        await StopRedisAsync(observer);

        (await watching.CheckAsync("paws", "v1", Now, default)).IsAllowed.Should().BeFalse("the probe it saw in flight is still the fleet's one");
        _time.Advance(new AccountHealthOptions().ProbeTimeout);
        (await watching.CheckAsync("walks", "w1", Now, default)).IsAllowed.Should().BeFalse("a wrong password waits for the credential probe interval, not for a probe's timeout");
    }

    [Fact]
    public async Task While_Redis_is_down_each_421_at_the_greeting_counts_once_towards_the_mailbox_being_unavailable()
    {
        var instance = NewInstance();
        var breaker = instance.Get<IAccountBreaker>();

        // Gmail's daily limit (/work/shared/providers.md, "daily quota") holds the account until it resets, so the
        // greeting refusals below are not the healthy account's that this process would settle alone.
        await breaker.RecordFailureAsync("paws", "v1", new SmtpFailure(SmtpFailureKind.SendLimitReached, true, true, "Wait for the daily limit to reset.", SmtpStage.MailFrom, 550, "5.4.5 Daily sending quota exceeded"), Now, Now.AddHours(6), default);
        await StopRedisAsync(instance);

        // Gmail's temporary refusal at the greeting (/work/shared/providers.md, "temporary"), from sends let through
        // before the limit was reached.
        var greetingRefused = new SmtpFailure(SmtpFailureKind.Transient, false, true, "Try again later.", SmtpStage.Greeting, 421, "4.3.0 Temporary System Problem. Try again later");
        for (var i = 1; i < AccountHealthTracker.GreetingRefusalCount; i++)
        {
            await breaker.RecordFailureAsync("paws", "v1", greetingRefused, Now, null, default);
        }

        instance.Health.GetHealth("paws").Kind.Should().Be(SmtpFailureKind.SendLimitReached, "four refusals at the greeting are not yet the five that make the mailbox unavailable");
        await breaker.RecordFailureAsync("paws", "v1", greetingRefused, Now, null, default);
        instance.Health.GetHealth("paws").Kind.Should().Be(SmtpFailureKind.AccountUnavailable, "the fifth within ten minutes does");
    }

    private Instance NewInstance()
    {
        var instance = new Instance(redis.ConnectionString, _prefix, _time, new Settings(), redis: static o => o.FailureMode = RedisFailureMode.FailOpen);
        _fleet.Add(instance);
        return instance;
    }

    private Task StopRedisAsync(Instance instance) => RedisServerOutage.StopAsync(redis.Server, instance);
}
