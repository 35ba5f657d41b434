using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using PetSitter.Email.Redis.Tests.Support;

namespace PetSitter.Email.Redis.Tests.Outages;

/// <summary>
/// An operator reading the logs of a Redis outage: the send limits' store and the shared account breaker each say once
/// that Redis is gone (each instance keeps its own breakers meanwhile) and once that it is back, however many checks
/// fail or succeed in between; the durable queue warns for each write it has to hold in memory, and says once, with
/// their number, that the held writes were written when Redis answered again.
/// </summary>
[Collection(RedisOutageGroup.Name)]
public sealed class OutageLogTests(RedisFixture redis) : IAsyncLifetime
{
    private static readonly SendLimits PerMinute = new() { MessagesPerMinute = 100 };
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero));

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => redis.Server.StartAgainAsync();

    [Fact]
    public async Task An_outage_and_the_recovery_are_each_logged_once_for_the_send_limits()
    {
        await using var instance = new Instance(redis.ConnectionString, RedisFixture.NewPrefix(), _time, new Settings(), services: static s => s.AddFakeLogging());
        var store = instance.Get<ISendQuotaStore>();
        var logs = instance.Get<FakeLogCollector>();
        (await store.TryAcquireAsync("account", PerMinute, 1)).IsAllowed.Should().BeTrue();

        await RedisServerOutage.StopAsync(redis.Server, instance);
        for (var i = 0; i < 3; i++)
        {
            await store.TryAcquireAsync("account", PerMinute, 1);
        }

        await RedisServerOutage.StartAgainAsync(redis.Server, instance);
        for (var i = 0; i < 3; i++)
        {
            (await store.TryAcquireAsync("account", PerMinute, 1)).IsAllowed.Should().BeTrue();
        }

        var events = logs.GetSnapshot().Where(static r => r.Category == typeof(RedisSendQuotaStore).FullName).Select(static r => r.Id.Id).ToList();
        events.Should().Equal([RedisLogEvents.Limits.Outage, RedisLogEvents.Limits.Recovered], "one warning when Redis went away, one note when it answered again");
    }

    [Fact]
    public async Task An_outage_and_the_recovery_are_each_logged_once_for_the_shared_account_breaker()
    {
        await using var instance = new Instance(redis.ConnectionString, RedisFixture.NewPrefix(), _time, new Settings(), services: static s => s.AddFakeLogging());
        var breaker = instance.Get<IAccountBreaker>();
        var logs = instance.Get<FakeLogCollector>();
        (await breaker.CheckAsync("paws", "v1", _time.GetUtcNow(), default)).Should().Be(AccountGate.Allowed);

        await RedisServerOutage.StopAsync(redis.Server, instance);
        for (var i = 0; i < 3; i++)
        {
            (await breaker.CheckAsync("paws", "v1", _time.GetUtcNow(), default)).Should().Be(AccountGate.Allowed, "this instance's own breaker answers");
        }

        await RedisServerOutage.StartAgainAsync(redis.Server, instance);
        for (var i = 0; i < 3; i++)
        {
            (await breaker.CheckAsync("paws", "v1", _time.GetUtcNow(), default)).Should().Be(AccountGate.Allowed);
        }

        var events = logs.GetSnapshot().Where(static r => r.Category == typeof(RedisAccountBreaker).FullName).Select(static r => r.Id.Id).ToList();
        events.Should().Equal([RedisLogEvents.Health.Outage, RedisLogEvents.Health.Recovered], "one warning when Redis went away, one note when it answered again");
    }

    [Fact]
    public async Task Each_write_held_during_an_outage_is_logged_and_their_replay_once_with_its_count()
    {
        await using var instance = new Instance(redis.ConnectionString, RedisFixture.NewPrefix(), _time, new Settings(), services: static s => s.AddFakeLogging());
        var queue = instance.Get<RedisDeferredEmailQueue>();
        await queue.EnqueueAsync(Deferred(1), default);

        await RedisServerOutage.StopAsync(redis.Server, instance);
        await queue.EnqueueAsync(Deferred(2), default);
        await queue.EnqueueAsync(Deferred(3), default);
        queue.PendingWrites.Should().Be(2);

        await RedisServerOutage.StartAgainAsync(redis.Server, instance);
        (await queue.TakeDueAsync(_time.GetUtcNow(), 10, default)).Should().HaveCount(2, "the held writes went first (Redis restarted empty, so the first email is gone with it)");

        var logs = instance.Get<FakeLogCollector>().GetSnapshot().Where(static r => r.Category == typeof(RedisDeferredEmailQueue).FullName).ToList();
        logs.Select(static r => r.Id.Id).Should().Equal([RedisLogEvents.Deferral.Held, RedisLogEvents.Deferral.Held, RedisLogEvents.Deferral.Replayed]);
        logs[^1].Message.Should().Contain("2 deferred-mail write(s)");
    }

    private DeferredEmail Deferred(int number) =>
        new(Settings.Email(EmailCategory.Marketing, number), _time.GetUtcNow(), new SmtpFailure(SmtpFailureKind.SendLimitReached, true, true, "Wait for the quota."), _time.GetUtcNow().AddHours(-1), 0);
}
