using System.Diagnostics;

namespace PetSitter.Email.Benchmarks;

/// <summary>
/// Runs <c>workers</c> loops at once, each doing <c>perWorker</c> operations one after another, on the real clock, and
/// reports the rate, the p50 / p99 time of one operation and the process CPU per operation (the fleet and Redis
/// concurrency runners).
/// </summary>
internal static class ConcurrentLoad
{
    public static async Task<LoadResult> MeasureAsync(int workers, int perWorker, Func<int, int, Task> operation)
    {
        var latencies = new long[workers * perWorker];
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var workItems = ThreadPool.CompletedWorkItemCount;
        var contentions = Monitor.LockContentionCount;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var jitted = System.Runtime.JitInfo.GetCompiledMethodCount();
        var paused = GC.GetTotalPauseDuration();
        var started = Stopwatch.GetTimestamp();
        var loops = new Task[workers];
        for (var worker = 0; worker < workers; worker++)
        {
            var index = worker;
            loops[worker] = Task.Run(async () =>
            {
                for (var i = 0; i < perWorker; i++)
                {
                    var begun = Stopwatch.GetTimestamp();
                    await operation(index, i);
                    latencies[(index * perWorker) + i] = Stopwatch.GetTimestamp() - begun;
                }
            });
        }

        await Task.WhenAll(loops);
        var elapsed = Stopwatch.GetElapsedTime(started);
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        workItems = ThreadPool.CompletedWorkItemCount - workItems;
        contentions = Monitor.LockContentionCount - contentions;
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        jitted = System.Runtime.JitInfo.GetCompiledMethodCount() - jitted;
        paused = GC.GetTotalPauseDuration() - paused;
        Array.Sort(latencies);
        return new LoadResult(
            latencies.Length / elapsed.TotalSeconds,
            Stopwatch.GetElapsedTime(0, latencies[latencies.Length / 2]),
            Stopwatch.GetElapsedTime(0, latencies[Math.Min(latencies.Length - 1, (int)(latencies.Length * 0.99))]),
            cpu / latencies.Length,
            (double)workItems / latencies.Length,
            (double)contentions / latencies.Length,
            (double)allocated / latencies.Length,
            jitted,
            paused / latencies.Length);
    }
}

/// <summary>What <see cref="ConcurrentLoad.MeasureAsync"/> measured.</summary>
/// <remarks>
/// Thread-pool work items, lock contentions, bytes allocated and GC pauses are per operation for the whole process (the
/// loopback responders share it): they tell where CPU goes when two senders' figures differ. Methods compiled (tiering up
/// included) are for the whole run: while they are many, the run measures the JIT rather than the steady state.
/// </remarks>
internal readonly record struct LoadResult(
    double PerSecond, TimeSpan P50, TimeSpan P99, TimeSpan CpuPerOperation, double WorkItemsPerOperation, double ContentionsPerOperation, double BytesPerOperation, long MethodsCompiled, TimeSpan GcPausePerOperation);
