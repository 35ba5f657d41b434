namespace PetSitter.Email.Tests.Limits;

/// <summary>
/// The in-memory store on the clocks it meets in production: <see cref="TimeProvider.System"/> counts nanoseconds on
/// Linux and macOS and 100 ns on Windows (as <c>FakeTimeProvider</c> does), and other rates exist. Whatever the rate,
/// a window frees at the very millisecond its refusal said, not before.
/// </summary>
public sealed class StoreClockRateTests
{
    private const string Account = "smtp.gmail.com|owner@paws.example";

    [Theory]
    [InlineData(1_000_000_000L)] // Stopwatch on Linux and macOS
    [InlineData(10_000_000L)] // Stopwatch on Windows, FakeTimeProvider
    [InlineData(1_048_576L)] // another rate (2^20 Hz): converted through a factor
    public void A_window_frees_exactly_when_its_refusal_said_whatever_the_clocks_tick_rate(long frequency)
    {
        var clock = new SteppedClock(frequency);
        var store = new InMemorySendQuotaStore(clock);
        var limits = new SendLimits { MessagesPerMinute = 2 };
        store.TryAcquire(Account, limits, 1).IsAllowed.Should().BeTrue();
        store.TryAcquire(Account, limits, 1).IsAllowed.Should().BeTrue();

        var refused = store.TryAcquire(Account, limits, 1);
        refused.Window.Should().Be(LimitWindow.MessagesPerMinute);

        // The 2 s bucket holding both sends is counted until it has wholly left the 60 s window.
        refused.RetryAfter.Should().Be(TimeSpan.FromSeconds(62));
        clock.AdvanceMs(61_999);
        store.TryAcquire(Account, limits, 1).RetryAfter.Should().Be(TimeSpan.FromMilliseconds(1));
        clock.AdvanceMs(1);
        store.TryAcquire(Account, limits, 1).IsAllowed.Should().BeTrue();
    }

    [Theory]
    [InlineData(1_000_000_000L)]
    [InlineData(10_000_000L)]
    [InlineData(1_048_576L)]
    public void A_provider_hold_ends_at_its_reset_whatever_the_clocks_tick_rate(long frequency)
    {
        var clock = new SteppedClock(frequency);
        var store = new InMemorySendQuotaStore(clock);
        store.MarkExhausted(Account, clock.GetUtcNow().AddMinutes(59), "450 Mail send limit exceeded.");

        store.TryAcquire(Account, SendLimits.None, 1).RetryAfter.Should().Be(TimeSpan.FromMinutes(59));
        clock.AdvanceMs((59 * 60_000) - 1);
        store.TryAcquire(Account, SendLimits.None, 1).Window.Should().Be(LimitWindow.ProviderExhausted);
        clock.AdvanceMs(1);
        store.TryAcquire(Account, SendLimits.None, 1).IsAllowed.Should().BeTrue();
    }

    /// <summary>
    /// A clock at a given tick rate, moved by whole milliseconds; its timestamps start far from zero, as a machine's
    /// do, and each is the first tick at or after its millisecond.
    /// </summary>
    private sealed class SteppedClock(long frequency) : TimeProvider
    {
        private static readonly DateTimeOffset Start = new(2025, 3, 14, 9, 0, 0, TimeSpan.Zero);
        private readonly long origin = frequency * 86_400;
        private long elapsedMs;

        public override long TimestampFrequency => frequency;

        public override long GetTimestamp() => origin + (long)Math.Ceiling((double)elapsedMs * frequency / 1_000);

        public override DateTimeOffset GetUtcNow() => Start.AddMilliseconds(elapsedMs);

        public void AdvanceMs(long ms) => elapsedMs += ms;
    }
}
