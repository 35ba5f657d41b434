using System.Threading.RateLimiting;

namespace PetSitter.Email.Benchmarks;

/// <summary>
/// What a user would build instead of the quota store: System.Threading.RateLimiting limiters partitioned
/// by account, one per window, chained so a send must pass all three.
/// </summary>
internal sealed class RateLimiterBaselines : IDisposable
{
    private RateLimiterBaselines(PartitionedRateLimiter<string> second, PartitionedRateLimiter<string> hour, PartitionedRateLimiter<string> day)
    {
        Second = second;
        Hour = hour;
        Day = day;
        Chained = PartitionedRateLimiter.CreateChained(second, hour, day);
    }

    public PartitionedRateLimiter<string> Second { get; }

    public PartitionedRateLimiter<string> Hour { get; }

    public PartitionedRateLimiter<string> Day { get; }

    public PartitionedRateLimiter<string> Chained { get; }

    /// <summary>
    /// The closest match to the store's rolling windows: a token bucket per second and sliding windows for the
    /// hour and the day, cut into as many segments as the store has buckets (30 and 48).
    /// </summary>
    public static RateLimiterBaselines TokenBucketAndSlidingWindows(int perSecond, int perHour, int perDay) => new(
        PartitionedRateLimiter.Create<string, string>(
            key => RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = perSecond,
                TokensPerPeriod = perSecond,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
            }),
            StringComparer.Ordinal),
        Sliding(perHour, TimeSpan.FromHours(1), 30),
        Sliding(perDay, TimeSpan.FromDays(1), 48));

    /// <summary>Fixed windows of a second, an hour and a day: what Polly's rate-limiter examples use.</summary>
    public static RateLimiterBaselines FixedWindows(int perSecond, int perHour, int perDay) => new(
        Fixed(perSecond, TimeSpan.FromSeconds(1)),
        Fixed(perHour, TimeSpan.FromHours(1)),
        Fixed(perDay, TimeSpan.FromDays(1)));

    /// <summary>Uses up every permit an account has in each window, so every later attempt is refused.</summary>
    public void Fill(string key, int perSecond, int perHour, int perDay)
    {
        Second.AttemptAcquire(key, perSecond).Dispose();
        Hour.AttemptAcquire(key, perHour).Dispose();
        Day.AttemptAcquire(key, perDay).Dispose();
    }

    public void Dispose()
    {
        Chained.Dispose();
        Second.Dispose();
        Hour.Dispose();
        Day.Dispose();
    }

    private static PartitionedRateLimiter<string> Sliding(int limit, TimeSpan window, int segments) =>
        PartitionedRateLimiter.Create<string, string>(
            key => RateLimitPartition.GetSlidingWindowLimiter(key, _ => new SlidingWindowRateLimiterOptions
            {
                PermitLimit = limit,
                Window = window,
                SegmentsPerWindow = segments,
                QueueLimit = 0,
            }),
            StringComparer.Ordinal);

    private static PartitionedRateLimiter<string> Fixed(int limit, TimeSpan window) =>
        PartitionedRateLimiter.Create<string, string>(
            key => RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = limit,
                Window = window,
                QueueLimit = 0,
            }),
            StringComparer.Ordinal);
}
