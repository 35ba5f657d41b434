using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using PetSitter.Email.Redis.Tests.Support;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace PetSitter.Email.Redis.Tests.Limits;

/// <summary>
/// The store's one-script check against the usual alternative, an <c>INCR</c> + <c>EXPIRE</c> fixed-window
/// counter per window: what each allows, and how many checks per second each does on loopback (printed,
/// not asserted: the machine decides the figure).
/// </summary>
[Collection(RedisGroup.Name)]
public sealed class QuotaCheckRoundTripTests(RedisFixture redis, ITestOutputHelper output)
{
    private const int Checks = 2_000;
    private static readonly SendLimits Gmail = ProviderPresets.Gmail.Limits;

    [Fact]
    public async Task Fixed_window_counters_let_a_burst_straddling_a_boundary_exceed_a_rolling_second_and_the_script_does_not()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 9, 0, 0, 900, TimeSpan.Zero));
        var prefix = RedisFixture.NewPrefix();
        await using var instance = new Instance(redis.ConnectionString, prefix, time, new Settings());
        var store = instance.Get<ISendQuotaStore>();
        var database = redis.Admin;

        var scriptAllowed = 0;
        var counterAllowed = 0;
        foreach (var step in new[] { TimeSpan.Zero, TimeSpan.FromMilliseconds(200) })
        {
            time.Advance(step);
            for (var i = 0; i < 3; i++)
            {
                scriptAllowed += (await store.TryAcquireAsync("burst", Gmail, 1)).IsAllowed ? 1 : 0;
                counterAllowed += await FixedWindowAsync(database, prefix, "burst", time.GetUtcNow()) ? 1 : 0;
            }
        }

        scriptAllowed.Should().Be(2, "within 200 ms Gmail allows 2");
        counterAllowed.Should().Be(4, "09:00:00.900 and 09:00:01.100 fall in two fixed seconds, each with room for 2");
    }

    [Fact]
    public async Task One_round_trip_per_check_counts_every_check_and_is_measured_against_two_counters_per_check()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero));
        var prefix = RedisFixture.NewPrefix();
        await using var instance = new Instance(redis.ConnectionString, prefix, time, new Settings());
        var store = instance.Get<ISendQuotaStore>();
        var database = instance.Get<RedisConnection>().Multiplexer is { } m ? m.GetDatabase() : (await instance.Get<RedisConnection>().GetDatabaseAsync());
        var limits = new SendLimits { MessagesPerSecond = SendLimits.MaxLimit, MessagesPerDay = SendLimits.MaxLimit };

        // Warm both paths (script cache, connection) before timing.
        await store.TryAcquireAsync("warm", limits, 1);
        await FixedWindowAsync(database, prefix, "warm", time.GetUtcNow());

        var allowed = 0;
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < Checks; i++)
        {
            allowed += (await store.TryAcquireAsync("account", limits, 1)).IsAllowed ? 1 : 0;
        }

        var script = watch.Elapsed;
        watch.Restart();
        for (var i = 0; i < Checks; i++)
        {
            await FixedWindowAsync(database, prefix, "account", time.GetUtcNow(), limit: SendLimits.MaxLimit);
        }

        var counters = watch.Elapsed;

        // Many checks in flight at once (many sends across the app): the server's work per check decides.
        watch.Restart();
        var concurrent = await Task.WhenAll(Enumerable.Range(0, Checks).Select(i => store.TryAcquireAsync("parallel", limits, 1).AsTask()));
        var scriptParallel = watch.Elapsed;
        watch.Restart();
        await Task.WhenAll(Enumerable.Range(0, Checks).Select(i => FixedWindowAsync(database, prefix, "parallel", time.GetUtcNow(), limit: SendLimits.MaxLimit)));
        var countersParallel = watch.Elapsed;

        allowed.Should().Be(Checks);
        concurrent.Should().OnlyContain(d => d.IsAllowed);
        (await store.GetAsync("account"))!.MessagesLastDay.Should().Be(Checks);
        (await store.GetAsync("parallel"))!.MessagesLastDay.Should().Be(Checks);
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{Checks} concurrent checks on loopback: Lua script {Checks / scriptParallel.TotalSeconds:N0}/s; INCR+EXPIRE per window {Checks / countersParallel.TotalSeconds:N0}/s"));
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{Checks} sequential checks on loopback: Lua script (2 windows, 1 round trip) {Checks / script.TotalSeconds:N0}/s ({script.TotalMicroseconds / Checks:N0} us each); INCR+EXPIRE per window (2 windows, up to 4 round trips) {Checks / counters.TotalSeconds:N0}/s ({counters.TotalMicroseconds / Checks:N0} us each)"));
    }

    /// <summary>
    /// The fixed-window alternative for Gmail's two windows: INCR each window's key, EXPIRE it when new, and
    /// allow when both stay within the limit. Not atomic across windows, and a refusal still counts.
    /// </summary>
    private static async Task<bool> FixedWindowAsync(IDatabase database, string prefix, string account, DateTimeOffset now, int? limit = null)
    {
        var second = now.ToUnixTimeSeconds();
        var day = second / 86_400;
        var perSecond = await database.StringIncrementAsync($"{prefix}fixed:{account}:s:{second}");
        if (perSecond == 1)
        {
            await database.KeyExpireAsync($"{prefix}fixed:{account}:s:{second}", TimeSpan.FromSeconds(2));
        }

        var perDay = await database.StringIncrementAsync($"{prefix}fixed:{account}:d:{day}");
        if (perDay == 1)
        {
            await database.KeyExpireAsync($"{prefix}fixed:{account}:d:{day}", TimeSpan.FromDays(2));
        }

        return perSecond <= (limit ?? Gmail.MessagesPerSecond) && perDay <= (limit ?? Gmail.MessagesPerDay);
    }
}
