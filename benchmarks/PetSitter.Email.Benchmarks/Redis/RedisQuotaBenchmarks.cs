using System.Globalization;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace PetSitter.Email.Benchmarks;

/// <summary>
/// One send-limit check against Redis on loopback, three windows (a second, an hour, a day): the Redis quota
/// store's one-round-trip Lua script against the usual fixed-window counters, <c>INCR</c> + <c>EXPIRE</c> per
/// window, awaited in turn (three round trips, six for a new window) and pipelined (one round trip).
/// </summary>
/// <remarks>
/// The benchmark starts its own <c>redis-server</c> (a free port, nothing persisted) and stops it in its cleanup,
/// where it also checks its premise: every check was allowed and counted exactly once.
/// </remarks>
[MemoryDiagnoser]
public class RedisQuotaBenchmarks
{
    private const string Account = "owner@paws.example";
    private const string Prefix = "bench:";

    // Limits nothing reaches, so every check takes the allowed path and is counted in all three windows.
    private static readonly SendLimits Limits = new()
    {
        MessagesPerSecond = SendLimits.MaxLimit,
        MessagesPerHour = SendLimits.MaxLimit,
        MessagesPerDay = SendLimits.MaxLimit,
    };

    private static readonly (string Name, long Seconds)[] Windows = [("s", 1), ("h", 3_600), ("d", 86_400)];

    private RedisServerProcess? server;
    private ServiceProvider? provider;
    private ConnectionMultiplexer? multiplexer;
    private ISendQuotaStore store = null!;
    private IDatabase database = null!;
    private long checks;
    private long refused;
    private readonly HashSet<long> days = [];

    [GlobalSetup]
    public void Setup()
    {
        server = RedisServerProcess.Start();
        var services = new ServiceCollection();
        services.AddPetSitterEmail().UseRedis(options =>
        {
            options.ConnectionString = server.ConnectionString;
            options.KeyPrefix = Prefix;
        });
        provider = services.BuildServiceProvider();
        store = provider.GetRequiredService<ISendQuotaStore>();
        multiplexer = ConnectionMultiplexer.Connect(server.ConnectionString);
        database = multiplexer.GetDatabase();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        try
        {
            CheckPremise();
        }
        finally
        {
            multiplexer?.Dispose();
            provider?.Dispose();
            server?.Dispose();
        }
    }

    [Benchmark(Baseline = true, Description = "INCR + EXPIRE per window, in turn")]
    public async Task<bool> IncrementInTurn()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var allowed = true;
        foreach (var (name, seconds) in Windows)
        {
            var key = WindowKey(name, now / seconds);
            var count = await database.StringIncrementAsync(key);
            if (count == 1)
            {
                await database.KeyExpireAsync(key, TimeSpan.FromSeconds(seconds * 2));
            }

            allowed &= count <= SendLimits.MaxLimit;
        }

        return Counted(allowed, now);
    }

    [Benchmark(Description = "INCR + EXPIRE NX per window, pipelined")]
    public async Task<bool> IncrementPipelined()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var batch = database.CreateBatch();
        var counts = new Task<long>[Windows.Length];
        var expiries = new Task<bool>[Windows.Length];
        for (var i = 0; i < Windows.Length; i++)
        {
            var (name, seconds) = Windows[i];
            var key = WindowKey(name, now / seconds);
            counts[i] = batch.StringIncrementAsync(key);
            expiries[i] = batch.KeyExpireAsync(key, TimeSpan.FromSeconds(seconds * 2), ExpireWhen.HasNoExpiry);
        }

        batch.Execute();
        await Task.WhenAll(expiries);
        var allowed = true;
        foreach (var count in counts)
        {
            allowed &= await count <= SendLimits.MaxLimit;
        }

        return Counted(allowed, now);
    }

    [Benchmark(Description = "RedisSendQuotaStore (Lua, one round trip)")]
    public async Task<bool> LuaScript()
    {
        var decision = await store.TryAcquireAsync(Account, Limits, 1);
        return Counted(decision.IsAllowed, now: null);
    }

    private static RedisKey WindowKey(string window, long number) =>
        string.Create(CultureInfo.InvariantCulture, $"{Prefix}fixed:{Account}:{window}:{number}");

    private bool Counted(bool allowed, long? now)
    {
        checks++;
        if (!allowed)
        {
            refused++;
        }

        if (now is { } seconds)
        {
            days.Add(seconds / 86_400);
        }

        return allowed;
    }

    /// <summary>Every check of this run was allowed and counted once: the figures are those of a counted check.</summary>
    private void CheckPremise()
    {
        if (checks == 0)
        {
            return;
        }

        if (refused > 0)
        {
            throw new InvalidOperationException($"{refused} of {checks} checks were refused: the benchmark measures the allowed path only.");
        }

        long counted;
        if (days.Count == 0)
        {
            // The store: the rolling day counts every check of this run (one process per benchmark case).
            var snapshot = store.GetAsync(Account).AsTask().GetAwaiter().GetResult()
                ?? throw new InvalidOperationException("The Redis quota store has no record of the account it counted.");
            counted = snapshot.MessagesLastDay ?? 0;
        }
        else
        {
            counted = days.Sum(day => (long)database.StringGet(WindowKey("d", day)));
        }

        if (counted != checks)
        {
            throw new InvalidOperationException($"Redis counted {counted} sends for {checks} checks: not every check was one counted send.");
        }
    }
}
