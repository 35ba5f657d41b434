using BenchmarkDotNet.Attributes;

namespace PetSitter.Email.Benchmarks;

/// <summary>
/// What one read of the real clock costs on this machine: the send-limit benchmarks use a stepping clock,
/// and a production check adds one <see cref="TimeProvider.GetTimestamp"/> of the system clock.
/// </summary>
[MemoryDiagnoser]
public class ClockBenchmarks
{
    private readonly TimeProvider system = TimeProvider.System;
    private readonly TimeProvider stepping = new SteppingTimeProvider(TimeSpan.FromMilliseconds(100));

    [Benchmark(Baseline = true, Description = "TimeProvider.System.GetTimestamp()")]
    public long SystemClock() => system.GetTimestamp();

    [Benchmark(Description = "SteppingTimeProvider.GetTimestamp()")]
    public long SteppingClock() => stepping.GetTimestamp();
}
