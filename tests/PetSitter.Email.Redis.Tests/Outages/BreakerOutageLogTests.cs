using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using PetSitter.Email.Redis.Tests.Support;

namespace PetSitter.Email.Redis.Tests.Outages;

/// <summary>
/// An operator reading the logs of a Redis outage: the shared account breaker says once that Redis is gone (each
/// instance keeps its own breakers meanwhile) and once that it is back, however many checks fail or succeed in between.
/// </summary>
[Collection(RedisOutageGroup.Name)]
public sealed class BreakerOutageLogTests(RedisFixture redis) : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero));

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => redis.Server.StartAgainAsync();

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
}
