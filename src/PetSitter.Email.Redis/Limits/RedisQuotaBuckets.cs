namespace PetSitter.Email;

/// <summary>
/// How the shared counters cut each window into buckets: the same widths as the core's in-process store, so an
/// account counts the same whichever store answers (a test in PetSitter.Email.Redis.Tests pins the equality).
/// Kept here rather than read from the core because they are not part of its public API.
/// </summary>
internal static class RedisQuotaBuckets
{
    // Widths in milliseconds; ring = buckets per window + 1 (the bucket partly outside the window).
    public const long SecondBucketMs = 40;
    public const long MinuteBucketMs = 2_000;
    public const long HourBucketMs = 120_000;
    public const long DayBucketMs = 3_600_000;
    public const int SecondRing = 26;
    public const int MinuteRing = 31;
    public const int HourRing = 31;
    public const int DayRing = 25;
}
