using System.Runtime.CompilerServices;

namespace PetSitter.Email.Extensibility;

/// <summary>
/// The five counted windows and how each is cut into buckets. A bucket is counted until it has wholly
/// left its window, so a window holding B buckets of width w counts between W and W + w of history:
/// never less than the provider counts, and at least B / (B + 1) of the limit usable under steady load.
/// </summary>
/// <remarks>
/// Bucket widths are constants in switch arms so the JIT turns each division into a multiplication.
/// </remarks>
internal static class QuotaWindows
{
    public const int Second = 0;
    public const int Minute = 1;
    public const int Hour = 2;
    public const int Day = 3;
    public const int RecipientsDay = 4;
    public const int Count = 5;
    public const int AllMask = (1 << Count) - 1;

    // Widths in milliseconds; ring = buckets per window + 1 (the bucket partly outside the window). Each
    // width divides the next, so two instants in the same per-second bucket share every window's bucket.
    public const long SecondBucketMs = 40;       // 25 buckets: 96.2 % usable
    public const long MinuteBucketMs = 2_000;    // 30 buckets: 96.8 %
    public const long HourBucketMs = 120_000;    // 30 buckets: 96.8 %
    public const long DayBucketMs = 3_600_000;   // 24 buckets: 96.0 % (hourly, so an account's counters fit in 256 B)
    public const int SecondRing = 26;
    public const int MinuteRing = 31;
    public const int HourRing = 31;
    public const int DayRing = 25;

    /// <summary>The longest any bucket stays counted: after this long untouched an account holds nothing.</summary>
    public const long LongestSpanMs = DayRing * DayBucketMs;

    /// <summary>Which windows the limits set, one bit per window.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int MaskOf(SendLimits limits) =>
        (limits.MessagesPerSecond is null ? 0 :
            // Stryker disable once Bitwise : Second is bit 0, and 1 << 0, 1 >> 0 and 1 >>> 0 are all 1
            1 << Second)
        | (limits.MessagesPerMinute is null ? 0 : 1 << Minute)
        | (limits.MessagesPerHour is null ? 0 : 1 << Hour)
        | (limits.MessagesPerDay is null ? 0 : 1 << Day)
        | (limits.RecipientsPerDay is null ? 0 : 1 << RecipientsDay);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int LimitOf(int window, SendLimits limits) => window switch
    {
        Second => limits.MessagesPerSecond.GetValueOrDefault(),
        Minute => limits.MessagesPerMinute.GetValueOrDefault(),
        Hour => limits.MessagesPerHour.GetValueOrDefault(),
        Day => limits.MessagesPerDay.GetValueOrDefault(),
        _ => limits.RecipientsPerDay.GetValueOrDefault(),
    };

    public static LimitWindow Name(int window) => window switch
    {
        Second => LimitWindow.MessagesPerSecond,
        Minute => LimitWindow.MessagesPerMinute,
        Hour => LimitWindow.MessagesPerHour,
        Day => LimitWindow.MessagesPerDay,
        _ => LimitWindow.RecipientsPerDay,
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int RingSize(int window) => window switch
    {
        Second => SecondRing,
        Minute => MinuteRing,
        Hour => HourRing,
        _ => DayRing,
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long BucketMs(int window) => window switch
    {
        Second => SecondBucketMs,
        Minute => MinuteBucketMs,
        Hour => HourBucketMs,
        _ => DayBucketMs,
    };

    /// <summary>The bucket a time falls in; times are never negative (see the store's clock offset).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long BucketOf(int window, long ms) => window switch
    {
        Second => (long)((ulong)ms / SecondBucketMs),
        Minute => (long)((ulong)ms / MinuteBucketMs),
        Hour => (long)((ulong)ms / HourBucketMs),
        _ => (long)((ulong)ms / DayBucketMs),
    };

    /// <summary>The ring slot of a bucket.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int SlotOf(int window, long bucket) => window switch
    {
        Second => (int)((ulong)bucket % SecondRing),
        Minute => (int)((ulong)bucket % MinuteRing),
        Hour => (int)((ulong)bucket % HourRing),
        _ => (int)((ulong)bucket % DayRing),
    };
}
