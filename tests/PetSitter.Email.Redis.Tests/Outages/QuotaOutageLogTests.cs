using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using PetSitter.Email.Redis.Tests.Support;

namespace PetSitter.Email.Redis.Tests.Outages;

/// <summary>
/// An operator reading the logs of a Redis outage: the send limits' store says once that Redis is gone and once that
/// it is back, however many checks fail or succeed in between.
/// </summary>
[Collection(RedisOutageGroup.Name)]
public sealed class QuotaOutageLogTests(RedisFixture redis) : IAsyncLifetime
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
}
