using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using PetSitter.Email.Redis.Tests.Support;
using StackExchange.Redis;

namespace PetSitter.Email.Redis.Tests.Limits;

/// <summary>
/// The per-window summaries the Lua check reads instead of walking every bucket: each must stay exactly the sum of
/// its window's buckets (a summary too low lets a send past a limit, one too high refuses sends the provider would
/// take), and a release without summaries sharing the hash must not be able to push the count past a limit.
/// </summary>
[Collection(RedisGroup.Name)]
public sealed class QuotaSummaryTests(RedisFixture redis) : IAsyncLifetime
{
    private const string Account = "SMTP.GMAIL.COM:PAWS.SITTING@GMAIL.COM";
    private static readonly long[] Widths =
    [
        RedisQuotaBuckets.SecondBucketMs, RedisQuotaBuckets.MinuteBucketMs, RedisQuotaBuckets.HourBucketMs,
        RedisQuotaBuckets.DayBucketMs, RedisQuotaBuckets.DayBucketMs,
    ];

    private static readonly int[] Rings =
    [
        RedisQuotaBuckets.SecondRing, RedisQuotaBuckets.MinuteRing, RedisQuotaBuckets.HourRing,
        RedisQuotaBuckets.DayRing, RedisQuotaBuckets.DayRing,
    ];

    // Tight enough that every window refuses somewhere in the sequences below.
    private static readonly SendLimits Tight = new()
    {
        MessagesPerSecond = 2,
        MessagesPerMinute = 6,
        MessagesPerHour = 12,
        MessagesPerDay = 50,
        RecipientsPerDay = 100,
        RecipientsPerMessage = 5,
    };

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero));
    private readonly string _prefix = RedisFixture.NewPrefix();
    private readonly Fleet _instances = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _instances.DisposeAsync().AsTask();

    [Fact]
    public async Task Each_window_summary_stays_the_sum_of_its_buckets_as_buckets_leave_the_window()
    {
        var (store, key) = Store();
        var random = new Random(16_05);
        _time.Advance(TimeSpan.FromMilliseconds(987));

        for (var step = 0; step < 1_500; step++)
        {
            await store.TryAcquireAsync(Account, Tight, random.Next(1, 4));
            if (step % 5 == 0)
            {
                await store.PeekAsync(Account, Tight, 1);
            }

            _time.Advance(NextStep(random));
            if (step % 10 == 0)
            {
                await AssertSummariesAsync(key);
            }
        }

        await AssertSummariesAsync(key);
    }

    [Fact]
    public async Task A_summary_drops_to_zero_when_its_whole_window_has_passed_and_the_next_send_counts_alone()
    {
        var (store, key) = Store();
        var perSecond = new SendLimits { MessagesPerSecond = 2, MessagesPerMinute = 30 };
        (await store.TryAcquireAsync(Account, perSecond, 1)).IsAllowed.Should().BeTrue();
        _time.Advance(TimeSpan.FromMilliseconds(500));
        (await store.TryAcquireAsync(Account, perSecond, 1)).IsAllowed.Should().BeTrue();
        (await store.TryAcquireAsync(Account, perSecond, 1)).Window.Should().Be(LimitWindow.MessagesPerSecond);

        // Ten seconds on: both sends have left the second but not the minute.
        _time.Advance(TimeSpan.FromSeconds(10));
        (await store.TryAcquireAsync(Account, perSecond, 1)).IsAllowed.Should().BeTrue();

        var fields = await FieldsAsync(key);
        fields["0:-1"].Should().Be(1, "the second's summary holds only the send just made");
        fields["1:-1"].Should().Be(3, "all three sends are still in the minute");
        fields.Keys.Count(f => f.StartsWith("0:", StringComparison.Ordinal) && f != "0:-1").Should().Be(1, "the second's old buckets were deleted");
        await AssertSummariesAsync(key);
    }

    [Fact]
    public async Task Sends_from_a_clock_behind_add_to_the_latest_bucket_without_overwriting_its_count()
    {
        var (ahead, key) = Store();
        var behindInstance = new Instance(redis.ConnectionString, _prefix, new FakeTimeProvider(_time.GetUtcNow() - TimeSpan.FromSeconds(30)), new Settings());
        _instances.Add(behindInstance);
        var behind = behindInstance.Get<ISendQuotaStore>();
        var limits = new SendLimits { MessagesPerMinute = 20, MessagesPerDay = 100 };

        for (var i = 0; i < 6; i++)
        {
            (await ahead.TryAcquireAsync(Account, limits, 1)).IsAllowed.Should().BeTrue();
            (await behind.TryAcquireAsync(Account, limits, 1)).IsAllowed.Should().BeTrue();
        }

        var fields = await FieldsAsync(key);
        var minute = _time.GetUtcNow().ToUnixTimeMilliseconds() / RedisQuotaBuckets.MinuteBucketMs;
        fields[string.Create(CultureInfo.InvariantCulture, $"1:{minute}")].Should().Be(12, "all twelve sends are counted in the latest time's bucket");
        await AssertSummariesAsync(key);
    }

    [Fact]
    public async Task Answers_check_for_check_as_the_in_memory_store_with_the_same_clock()
    {
        var (store, _) = Store();

        // Made on the hour, the in-memory store's buckets (counted from its creation) line up with Redis's (counted
        // from the Unix epoch); every refusal is computed in full, as the script does, rather than remembered.
        var memory = new InMemorySendQuotaStore(_time, rememberRefusals: false);
        _time.Advance(TimeSpan.FromMilliseconds(987));
        var random = new Random(2026_12_05);
        var refused = new HashSet<LimitWindow>();

        for (var step = 0; step < 2_000; step++)
        {
            // Single recipients first, so the day's messages bind; then several, so the day's recipients do.
            var recipients = step < 1_000 ? 1 : random.Next(2, 6);
            if (step % 7 == 3)
            {
                (await store.PeekAsync(Account, Tight, recipients)).Should().Be(memory.Peek(Account, Tight, recipients), "peek at step {0}", step);
            }

            var expected = memory.TryAcquire(Account, Tight, recipients);
            var actual = await store.TryAcquireAsync(Account, Tight, recipients);
            actual.Should().Be(expected, "step {0}, {1}", step, _time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
            if (!expected.IsAllowed)
            {
                refused.Add(expected.Window);
            }

            _time.Advance(NextStep(random));
        }

        refused.Should().Contain([LimitWindow.MessagesPerSecond, LimitWindow.MessagesPerMinute, LimitWindow.MessagesPerHour, LimitWindow.MessagesPerDay, LimitWindow.RecipientsPerDay],
            "the sequence must reach every window's limit for the comparison to mean something");
        var shared = (await store.GetAsync(Account))!;
        var own = memory.Get(Account)!;
        (shared.MessagesLastSecond, shared.MessagesLastMinute, shared.MessagesLastHour, shared.MessagesLastDay, shared.RecipientsLastDay)
            .Should().Be((own.MessagesLastSecond, own.MessagesLastMinute, own.MessagesLastHour, own.MessagesLastDay, own.RecipientsLastDay));
    }

    [Fact]
    public async Task Counts_left_by_the_release_without_summaries_are_counted_after_the_upgrade()
    {
        var (store, key) = Store();
        var perMinute = new SendLimits { MessagesPerMinute = 10 };
        for (var i = 0; i < 7; i++)
        {
            await PreviousReleaseAcquireAsync(key, perMinute);
            _time.Advance(TimeSpan.FromSeconds(3));
        }

        for (var i = 0; i < 3; i++)
        {
            (await store.TryAcquireAsync(Account, perMinute, 1)).IsAllowed.Should().BeTrue();
        }

        (await store.TryAcquireAsync(Account, perMinute, 1)).Window.Should().Be(LimitWindow.MessagesPerMinute, "7 sends before the upgrade and 3 after fill the minute");
        (await FieldsAsync(key))["1:-1"].Should().Be(10);
    }

    [Fact]
    public async Task A_release_without_summaries_sharing_the_hash_never_lets_an_account_past_its_limit()
    {
        var (store, key) = Store();
        var limits = new SendLimits { MessagesPerSecond = 3, MessagesPerMinute = 12, RecipientsPerDay = 40 };
        var allowed = 0;

        // A rolling upgrade: both releases check the same account in turn.
        for (var i = 0; i < 60; i++)
        {
            var counted = i % 3 == 0
                ? await PreviousReleaseAcquireAsync(key, limits)
                : (await store.TryAcquireAsync(Account, limits, 1)).IsAllowed;
            allowed += counted ? 1 : 0;
            _time.Advance(TimeSpan.FromMilliseconds(400));
        }

        // 24 s of checks: the minute's 12 are all there is, whoever counted them.
        allowed.Should().Be(12);
        (await store.GetAsync(Account))!.MessagesLastMinute.Should().Be(12);
        (await store.TryAcquireAsync(Account, limits, 1)).Window.Should().Be(LimitWindow.MessagesPerMinute);
        await AssertSummariesAsync(key);
    }

    [Fact]
    public async Task After_a_rollback_the_previous_release_reads_the_new_hash_and_counts_what_it_holds()
    {
        var (store, key) = Store();
        var perMinute = new SendLimits { MessagesPerMinute = 5, MessagesPerHour = 50 };
        for (var i = 0; i < 4; i++)
        {
            (await store.TryAcquireAsync(Account, perMinute, 1)).IsAllowed.Should().BeTrue();
        }

        (await PreviousReleaseAcquireAsync(key, perMinute)).Should().BeTrue("one slot of the minute is left");
        (await PreviousReleaseAcquireAsync(key, perMinute)).Should().BeFalse("the previous release sees the four sends counted here, and ignores the summaries");
        (await FieldsAsync(key)).Keys.Should().NotContain(f => f.EndsWith(":-1", StringComparison.Ordinal), "it deletes the summaries it does not know, as buckets long gone");
    }

    private static TimeSpan NextStep(Random random) => random.Next(1_000) switch
    {
        < 600 => TimeSpan.FromMilliseconds(random.Next(1, 120)),
        < 950 => TimeSpan.FromMilliseconds(random.Next(120, 4_000)),
        < 990 => TimeSpan.FromSeconds(random.Next(4, 400)),
        < 998 => TimeSpan.FromMinutes(random.Next(7, 200)),
        _ => TimeSpan.FromHours(random.Next(2, 26)),
    };

    private (ISendQuotaStore Store, RedisKey Key) Store()
    {
        var instance = new Instance(redis.ConnectionString, _prefix, _time, new Settings());
        _instances.Add(instance);
        return (instance.Get<ISendQuotaStore>(), instance.Get<RedisConnection>().Keys.Quota(Account));
    }

    /// <summary>One check by an instance still running the previous release; true when it counted the send.</summary>
    private async Task<bool> PreviousReleaseAcquireAsync(RedisKey key, SendLimits limits)
    {
        var reply = (RedisResult[])(await redis.Admin.ScriptEvaluateAsync(
            PreviousReleaseQuotaScript.Acquire,
            [key],
            [
                _time.GetUtcNow().ToUnixTimeMilliseconds(), 1,
                limits.MessagesPerSecond ?? 0, limits.MessagesPerMinute ?? 0, limits.MessagesPerHour ?? 0,
                limits.MessagesPerDay ?? 0, limits.RecipientsPerDay ?? 0,
            ]))!;
        return (long)reply[0] == 0;
    }

    private async Task<Dictionary<string, long>> FieldsAsync(RedisKey key) =>
        (await redis.Admin.HashGetAllAsync(key))
            .Where(static e => e.Name != "xr")
            .ToDictionary(static e => e.Name.ToString(), static e => (long)e.Value);

    /// <summary>Every window's summary is the sum of its bucket fields, and no bucket is older than the latest time seen allows.</summary>
    private async Task AssertSummariesAsync(RedisKey key)
    {
        var fields = await FieldsAsync(key);
        var last = fields["t"];
        for (var w = 0; w < 5; w++)
        {
            var buckets = fields
                .Where(f => f.Key.StartsWith(string.Create(CultureInfo.InvariantCulture, $"{w}:"), StringComparison.Ordinal))
                .Select(static f => (Bucket: long.Parse(f.Key[2..], CultureInfo.InvariantCulture), Count: f.Value))
                .Where(static b => b.Bucket >= 0)
                .ToList();
            if (!fields.TryGetValue(string.Create(CultureInfo.InvariantCulture, $"{w}:-1"), out var summary))
            {
                buckets.Should().BeEmpty("window {0} has buckets but no summary", w);
                continue;
            }

            summary.Should().Be(buckets.Sum(static b => b.Count), "window {0}'s summary is the sum of its buckets", w);
            var oldest = (last / Widths[w]) - Rings[w] + 1;
            buckets.Where(b => b.Bucket < oldest).Should().BeEmpty("window {0} keeps no bucket that has left it", w);
        }
    }
}
