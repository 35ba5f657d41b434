using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace PetSitter.Email.Benchmarks;

/// <summary>
/// The Redis quota check under concurrency (<c>--redis-concurrency</c>, issue 16): 1, 16 and 64 callers at once, each
/// checking its own account in a loop, on one multiplexed connection: the store's Lua check against
/// <c>INCR</c> + <c>EXPIRE NX</c> per window, pipelined (the cheapest fixed-window counters). Checks per second and the
/// p50 / p99 time of one check, on the real clock; it starts its own <c>redis-server</c>. The server's own time per
/// check (<c>INFO commandstats</c>: the commands' microseconds over the checks) is the figure a loaded client machine
/// distorts least, and the one that caps checks per second: Redis runs one command or script at a time.
/// </summary>
internal static class RedisConcurrencyRunner
{
    private static readonly SendLimits Limits = new()
    {
        MessagesPerSecond = SendLimits.MaxLimit,
        MessagesPerHour = SendLimits.MaxLimit,
        MessagesPerDay = SendLimits.MaxLimit,
    };

    private static readonly (string Name, long Seconds)[] Windows = [("s", 1), ("h", 3_600), ("d", 86_400)];

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var at = Array.IndexOf(args, "--checks");
        var checksPerCaller = at >= 0 ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : 2_000;
        at = Array.IndexOf(args, "--out");
        var markdown = at >= 0 ? args[at + 1] : null;
        int[] callerCounts = [1, 16, 64];

        using var server = RedisServerProcess.Start();
        var services = new ServiceCollection();
        services.AddPetSitterEmail().UseRedis(options =>
        {
            options.ConnectionString = server.ConnectionString;
            options.KeyPrefix = "bench:";
        });
        await using var provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<ISendQuotaStore>();
        using var multiplexer = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString + ",allowAdmin=true");
        var database = multiplexer.GetDatabase();
        var admin = multiplexer.GetServer(multiplexer.GetEndPoints()[0]);

        var report = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"Redis quota check under concurrency: {checksPerCaller} checks per caller, each caller its own account, one multiplexed connection per sender, {Environment.ProcessorCount} cores, redis-server on loopback."),
            string.Empty,
            "| check | callers | checks/s | p50 | p99 | CPU per check (this process) | server time per check |",
            "|---|---:|---:|---:|---:|---:|---:|",
        };

        foreach (var callers in callerCounts)
        {
            // Warm both paths (scripts loaded, connection settled) before each measured pair.
            await ConcurrentLoad.MeasureAsync(callers, 50, (caller, _) => LuaAsync(store, caller, callers));
            await ConcurrentLoad.MeasureAsync(callers, 50, (caller, _) => PipelinedAsync(database, caller, callers));
            await admin.ConfigResetStatisticsAsync();
            var pipelined = await ConcurrentLoad.MeasureAsync(callers, checksPerCaller, (caller, _) => PipelinedAsync(database, caller, callers));
            var pipelinedServer = await ServerMicrosecondsAsync(admin, "incr", "expire");
            report.Add(Row("INCR + EXPIRE NX per window, pipelined", callers, pipelined, pipelinedServer / (callers * (double)checksPerCaller)));
            await admin.ConfigResetStatisticsAsync();
            var lua = await ConcurrentLoad.MeasureAsync(callers, checksPerCaller, (caller, _) => LuaAsync(store, caller, callers));
            var luaServer = await ServerMicrosecondsAsync(admin, "evalsha", "eval");
            report.Add(Row("RedisSendQuotaStore (Lua, one round trip)", callers, lua, luaServer / (callers * (double)checksPerCaller)));
        }

        foreach (var line in report)
        {
            output.WriteLine(line);
        }

        if (markdown is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(markdown))!);
            await File.WriteAllLinesAsync(markdown, report);
        }

        return 0;
    }

    private static async Task LuaAsync(ISendQuotaStore store, int caller, int callers)
    {
        var decision = await store.TryAcquireAsync(Account(caller, callers), Limits, 1);
        if (!decision.IsAllowed)
        {
            throw new InvalidOperationException($"A check was refused ({decision}): the runner measures the allowed path only.");
        }
    }

    private static async Task PipelinedAsync(IDatabase database, int caller, int callers)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var batch = database.CreateBatch();
        var counts = new Task<long>[Windows.Length];
        var expiries = new Task<bool>[Windows.Length];
        for (var i = 0; i < Windows.Length; i++)
        {
            var (name, seconds) = Windows[i];
            RedisKey key = string.Create(CultureInfo.InvariantCulture, $"bench:fixed:{Account(caller, callers)}:{name}:{now / seconds}");
            counts[i] = batch.StringIncrementAsync(key);
            expiries[i] = batch.KeyExpireAsync(key, TimeSpan.FromSeconds(seconds * 2), ExpireWhen.HasNoExpiry);
        }

        batch.Execute();
        await Task.WhenAll(expiries);
        foreach (var count in counts)
        {
            if (await count > SendLimits.MaxLimit)
            {
                throw new InvalidOperationException("A fixed-window counter passed its limit: the runner measures the allowed path only.");
            }
        }
    }

    private static string Account(int caller, int callers) => string.Create(CultureInfo.InvariantCulture, $"owner{callers}-{caller}@paws.example");

    /// <summary>The microseconds Redis spent in the named commands since the statistics were reset.</summary>
    private static async Task<long> ServerMicrosecondsAsync(IServer admin, params string[] commands)
    {
        var total = 0L;
        foreach (var group in await admin.InfoAsync("commandstats"))
        {
            foreach (var entry in group)
            {
                // cmdstat_evalsha: calls=...,usec=...,usec_per_call=...
                if (commands.Any(c => entry.Key == "cmdstat_" + c))
                {
                    var usec = entry.Value.Split(',').First(static part => part.StartsWith("usec=", StringComparison.Ordinal));
                    total += long.Parse(usec.AsSpan(5), CultureInfo.InvariantCulture);
                }
            }
        }

        return total;
    }

    private static string Row(string check, int callers, LoadResult result, double serverMicroseconds) => string.Create(
        CultureInfo.InvariantCulture,
        $"| {check} | {callers} | {result.PerSecond:0} | {result.P50.TotalMicroseconds:0} us | {result.P99.TotalMicroseconds:0} us | {result.CpuPerOperation.TotalMicroseconds:0.0} us | {serverMicroseconds:0.0} us |");

}
