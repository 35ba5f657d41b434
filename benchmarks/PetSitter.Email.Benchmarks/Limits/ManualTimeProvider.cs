namespace PetSitter.Email.Benchmarks;

/// <summary>
/// A clock that moves only when told, read with one field load: the refused path's counterpart of
/// <see cref="SteppingTimeProvider"/>. <c>FakeTimeProvider</c> takes a lock on every read, which would
/// be measured as the store's cost (a real clock read is measured separately, in <see cref="ClockBenchmarks"/>).
/// </summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private static readonly DateTimeOffset Start = new(2026, 11, 27, 9, 0, 0, TimeSpan.Zero);
    private long now;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => now;

    public override DateTimeOffset GetUtcNow() => Start.AddTicks(now);

    public void Advance(TimeSpan by) => now += by.Ticks;
}
