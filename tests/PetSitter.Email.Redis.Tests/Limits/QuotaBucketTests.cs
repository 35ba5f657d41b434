namespace PetSitter.Email.Redis.Tests.Limits;

/// <summary>
/// The Redis package keeps its own copy of the bucket widths (the core's are not public API); an account must
/// count the same whichever store answers, so the copies must not drift apart.
/// </summary>
public sealed class QuotaBucketTests
{
    [Fact]
    public void Redis_buckets_have_the_in_process_stores_widths_and_rings()
    {
        long[] redis =
        [
            RedisQuotaBuckets.SecondBucketMs, RedisQuotaBuckets.MinuteBucketMs, RedisQuotaBuckets.HourBucketMs, RedisQuotaBuckets.DayBucketMs,
            RedisQuotaBuckets.SecondRing, RedisQuotaBuckets.MinuteRing, RedisQuotaBuckets.HourRing, RedisQuotaBuckets.DayRing,
        ];
        long[] core =
        [
            QuotaWindows.SecondBucketMs, QuotaWindows.MinuteBucketMs, QuotaWindows.HourBucketMs, QuotaWindows.DayBucketMs,
            QuotaWindows.SecondRing, QuotaWindows.MinuteRing, QuotaWindows.HourRing, QuotaWindows.DayRing,
        ];

        Assert.Equal(core, redis);
    }

    [Fact]
    public void Redis_package_is_not_a_friend_of_the_core()
    {
        var friends = typeof(SendOutcome).Assembly.GetCustomAttributes(typeof(System.Runtime.CompilerServices.InternalsVisibleToAttribute), false)
            .Cast<System.Runtime.CompilerServices.InternalsVisibleToAttribute>()
            .Select(static a => a.AssemblyName);

        Assert.DoesNotContain("PetSitter.Email.Redis", friends);
    }
}
