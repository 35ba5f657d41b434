using System.Diagnostics;
using System.Globalization;

namespace PetSitter.Email.Benchmarks;

/// <summary>
/// Idle cost at scale (<c>--idle</c>): with 100,000 accounts tracked and nothing sent, the processor time the
/// process burns over a sleep, for the quota store and then for the partitioned baseline (whose partitioned
/// limiter replenishes every partition from a timer).
/// </summary>
internal static class IdleCostHarness
{
    private const int Accounts = 100_000;
    private static readonly SendLimits Limits = new() { MessagesPerSecond = 2, MessagesPerHour = 100, MessagesPerDay = 500 };

    public static async Task<int> RunAsync(TimeSpan idle, TextWriter output)
    {
        var keys = AccountMemoryHarness.Keys(Accounts);

        var store = new InMemorySendQuotaStore(TimeProvider.System);
        foreach (var key in keys)
        {
            store.TryAcquire(key, Limits, 1);
        }

        var ours = await MeasureAsync(idle);
        GC.KeepAlive(store);

        TimeSpan partitioned;
        using (var baseline = RateLimiterBaselines.TokenBucketAndSlidingWindows(2, 100, 500))
        {
            foreach (var key in keys)
            {
                baseline.Chained.AttemptAcquire(key).Dispose();
            }

            partitioned = await MeasureAsync(idle);
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"processor time over {idle.TotalSeconds:0.#} s idle, {Accounts:N0} accounts tracked:"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  InMemorySendQuotaStore               {ours.TotalMilliseconds,9:F1} ms"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  PartitionedRateLimiter.CreateChained {partitioned.TotalMilliseconds,9:F1} ms"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  ratio                                {(partitioned.Ticks == 0 ? double.NaN : ours.Ticks / (double)partitioned.Ticks),9:F4}"));
        return 0;
    }

    private static async Task<TimeSpan> MeasureAsync(TimeSpan idle)
    {
        // Settle first: the collection that the setup's garbage would trigger is not idle cost.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        var before = process.TotalProcessorTime;
        await Task.Delay(idle);
        process.Refresh();
        return process.TotalProcessorTime - before;
    }
}
