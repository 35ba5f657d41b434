namespace PetSitter.Email.Benchmarks;

/// <summary>
/// A clock that moves forward by a fixed step every time it is read. It lets a benchmark run millions of
/// allowed sends against a store with real limits without any window filling up, at the cost of one
/// field update per read (a real clock read is measured separately, in <see cref="ClockBenchmarks"/>).
/// </summary>
internal sealed class SteppingTimeProvider : TimeProvider
{
    private static readonly DateTimeOffset Start = new(2026, 11, 27, 9, 0, 0, TimeSpan.Zero);
    private readonly long step;
    private long now;

    public SteppingTimeProvider(TimeSpan step)
    {
        this.step = step.Ticks;
    }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => now += step;

    public override DateTimeOffset GetUtcNow() => Start.AddTicks(now);
}
