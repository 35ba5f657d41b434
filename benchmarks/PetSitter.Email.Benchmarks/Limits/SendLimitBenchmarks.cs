using System.Globalization;
using BenchmarkDotNet.Attributes;
using Polly;
using Polly.RateLimiting;

namespace PetSitter.Email.Benchmarks;

/// <summary>Which outcome every check of a run has.</summary>
public enum LimitPath
{
    /// <summary>Limits so high nothing is refused.</summary>
    Allowed,

    /// <summary>Every window filled first and a clock that does not move: everything is refused.</summary>
    Refused,
}

/// <summary>
/// One send-limit check per operation, accounts taken round-robin, for a preset with a per-second, a per-hour
/// and a rolling per-day window: the quota store against a chain of partitioned System.Threading.RateLimiting
/// limiters (the baseline) and against Polly's rate-limiter strategy. The store is measured as the SMTP channel calls it
/// (through the account's cells cached on its settings instance, one instance per account) and as any other caller
/// of <see cref="ISendQuotaStore"/> does (by key string).
/// </summary>
/// <remarks>
/// Every run checks its own premise: a refusal on the allowed path, or a pass on the refused one, fails the
/// benchmark in its cleanup.
/// </remarks>
[MemoryDiagnoser]
public class SendLimitBenchmarks
{
    // Gmail-like, with an hourly cap so all three windows are in play.
    private const int PerSecond = 2;
    private const int PerHour = 100;
    private const int PerDay = 500;

    private static readonly ResiliencePropertyKey<string> AccountKey = new("petsitter.account");

    private string[] keys = [];
    private int next;
    private long unexpected;
    // Called through the interface, as the sender's throttle calls it.
#pragma warning disable CA1859
    private ISendQuotaStore store = null!;
#pragma warning restore CA1859
    private InMemorySendQuotaStore memory = null!;
    private SmtpAccountSettings[] accounts = [];
    private SendLimits limits = SendLimits.None;
    private RateLimiterBaselines? baseline;
    private ResiliencePipeline pipeline = ResiliencePipeline.Empty;

    [Params(1, 10_000, 100_000)]
    public int Accounts { get; set; }

    [Params(LimitPath.Allowed, LimitPath.Refused)]
    public LimitPath Path { get; set; }

    // The reserve for direct mail: marketing is checked against 60 % of the hour and day windows.
    private MarketingReserve reserve = null!;

    [GlobalSetup(Targets = [nameof(Ours), nameof(OursByKey), nameof(OursMarketing)])]
    public void SetupOurs()
    {
        // The caller's settings, one instance per account as a settings provider that keeps them returns them; the keys
        // are their limit keys, the strings the channel passes.
        accounts = [.. Enumerable.Range(0, Accounts).Select(static i => new SmtpAccountSettings
        {
            Host = "smtp.gmail.com",
            UserName = string.Create(CultureInfo.InvariantCulture, $"owner{i}@paws.example"),
            FromAddress = string.Create(CultureInfo.InvariantCulture, $"owner{i}@paws.example"),
        })];
        keys = [.. accounts.Select(static account => account.LimitKey())];
        if (Path == LimitPath.Allowed)
        {
            // An account sending ten a second for as long as the run lasts stays far below these.
            limits = new SendLimits { MessagesPerSecond = int.MaxValue, MessagesPerHour = int.MaxValue, MessagesPerDay = int.MaxValue };
            memory = new InMemorySendQuotaStore(new SteppingTimeProvider(TimeSpan.FromMilliseconds(100)));
            store = memory;
            CreateReserve(TimeProvider.System);
            ResolveHandles();
            return;
        }

        limits = new SendLimits { MessagesPerSecond = PerSecond, MessagesPerHour = PerHour, MessagesPerDay = PerDay };
        var clock = new ManualTimeProvider();
        memory = new InMemorySendQuotaStore(clock);
        store = memory;
        CreateReserve(clock);

        // A full hour's worth for every account, within the per-second limit; then the clock stops.
        for (var round = 0; round < PerHour; round++)
        {
            foreach (var key in keys)
            {
                if (!Acquire(key))
                {
                    throw new InvalidOperationException($"Filling the windows was refused in round {round}.");
                }
            }

            clock.Advance(TimeSpan.FromMilliseconds(600));
        }

        ResolveHandles();
    }

    [GlobalSetup(Target = nameof(Partitioned))]
    public void SetupPartitioned()
    {
        CreateKeys();
        baseline = Path == LimitPath.Allowed
            ? RateLimiterBaselines.TokenBucketAndSlidingWindows(int.MaxValue, int.MaxValue, int.MaxValue)
            : Filled(RateLimiterBaselines.TokenBucketAndSlidingWindows(PerSecond, PerHour, PerDay));
    }

    [GlobalSetup(Target = nameof(Polly))]
    public void SetupPolly()
    {
        CreateKeys();
        baseline = Path == LimitPath.Allowed
            ? RateLimiterBaselines.FixedWindows(int.MaxValue, int.MaxValue, int.MaxValue)
            : Filled(RateLimiterBaselines.FixedWindows(PerSecond, PerHour, PerDay));
        var limiter = baseline.Chained;
        pipeline = new ResiliencePipelineBuilder()
            .AddRateLimiter(new RateLimiterStrategyOptions
            {
                RateLimiter = args => limiter.AcquireAsync(args.Context.Properties.GetValue(AccountKey, string.Empty), 1, args.Context.CancellationToken),
            })
            .Build();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        baseline?.Dispose();
        if (unexpected > 0)
        {
            throw new InvalidOperationException($"{unexpected} checks were not {Path}: the benchmark did not measure what it says.");
        }
    }

    [Benchmark(Baseline = true, Description = "PartitionedRateLimiter.CreateChained")]
    public bool Partitioned()
    {
        using var lease = baseline!.Chained.AttemptAcquire(NextKey());
        return Tally(lease.IsAcquired);
    }

    /// <summary>The check as the SMTP channel makes it: the account's cells cached on its settings instance.</summary>
    [Benchmark(Description = "InMemorySendQuotaStore, account cached")]
    public bool Ours()
    {
        var account = accounts[NextIndex()];
        return Tally(memory.TryAcquire(account, limits, 1).IsAllowed);
    }

    /// <summary>The check by key alone, as any caller of <see cref="ISendQuotaStore"/> makes it: the key hashed and looked up.</summary>
    [Benchmark(Description = "InMemorySendQuotaStore.TryAcquireAsync(key)")]
    public bool OursByKey() => Tally(Acquire(NextKey()));

    /// <summary>
    /// A marketing send with the reserve on, as the channel makes it: the account's share of its limits (cached on its
    /// settings instance), then the check through its cached cells. Refused here means refused by marketing's share (the
    /// windows hold a full hour, more than its 60 %).
    /// </summary>
    [Benchmark(Description = "InMemorySendQuotaStore, account cached, marketing (reserve on)")]
    public bool OursMarketing()
    {
        var account = accounts[NextIndex()];
        var key = account.LimitKey();
        var pending = reserve.ForAsync(account, key, limits, EmailCategory.Marketing, CancellationToken.None);
        var share = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
        return Tally(memory.TryAcquire(account, share.Limits, 1).IsAllowed);
    }

    [Benchmark(Description = "Polly AddRateLimiter")]
    public bool Polly()
    {
        var context = ResilienceContextPool.Shared.Get();
        context.Properties.Set(AccountKey, NextKey());
        try
        {
            pipeline.Execute(static _ => { }, context);
            return Tally(true);
        }
        catch (RateLimiterRejectedException)
        {
            return Tally(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>The library's defaults (60 % share), warm-up off: an established mailbox, so no history lookup either.</summary>
    private void CreateReserve(TimeProvider clock) =>
        reserve = new MarketingReserve(store, clock, new SendLimitOptions { MarketingWarmUpFirstDay = 0 });

    /// <summary>
    /// Resolves every account's handle and marketing share once (as the first send of each does), so the measured
    /// checks are the steady state: on the allowed path by one send each (nothing refuses), on the refused one by a look.
    /// </summary>
    private void ResolveHandles()
    {
        foreach (var account in accounts)
        {
            var share = reserve.ForAsync(account, account.LimitKey(), limits, EmailCategory.Marketing, CancellationToken.None);
            _ = share.IsCompletedSuccessfully ? share.Result : share.AsTask().GetAwaiter().GetResult();
            var decision = Path == LimitPath.Allowed
                ? memory.TryAcquire(account, limits, 1)
                : memory.Peek(account, limits, 1);
            if (decision.IsAllowed != (Path == LimitPath.Allowed) || account.QuotaCells is null)
            {
                throw new InvalidOperationException("Resolving the handles did not see the account as the path expects.");
            }
        }
    }

    private bool Acquire(string key)
    {
        var pending = store.TryAcquireAsync(key, limits, 1);
        var decision = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
        return decision.IsAllowed;
    }

    private RateLimiterBaselines Filled(RateLimiterBaselines limiters)
    {
        foreach (var key in keys)
        {
            limiters.Fill(key, PerSecond, PerHour, PerDay);
        }

        return limiters;
    }

    private void CreateKeys() =>
        keys = [.. Enumerable.Range(0, Accounts).Select(static i => string.Create(CultureInfo.InvariantCulture, $"SMTP.GMAIL.COM:OWNER{i}@PAWS.EXAMPLE"))];

    private string NextKey() => keys[NextIndex()];

    private int NextIndex()
    {
        var i = next + 1;
        if (i == keys.Length)
        {
            i = 0;
        }

        next = i;
        return i;
    }

    private bool Tally(bool allowed)
    {
        if (allowed != (Path == LimitPath.Allowed))
        {
            unexpected++;
        }

        return allowed;
    }
}
