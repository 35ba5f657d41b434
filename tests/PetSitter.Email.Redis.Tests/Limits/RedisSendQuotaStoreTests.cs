using Microsoft.Extensions.Time.Testing;
using PetSitter.Email.Redis.Tests.Support;

namespace PetSitter.Email.Redis.Tests.Limits;

[Collection(RedisGroup.Name)]
public sealed class RedisSendQuotaStoreTests(RedisFixture redis) : IAsyncLifetime
{
    private const string Account = "SMTP.GMAIL.COM:PAWS.SITTING@GMAIL.COM";
    private static readonly SendLimits PerMinute = new() { MessagesPerMinute = 10 };
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero));
    private readonly string _prefix = RedisFixture.NewPrefix();
    private readonly Fleet _instances = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _instances.DisposeAsync().AsTask();

    [Fact]
    public async Task Counts_up_to_the_limit_then_refuses_with_the_window_and_the_wait()
    {
        var store = Store();
        for (var i = 0; i < 10; i++)
        {
            (await store.TryAcquireAsync(Account, PerMinute, 1)).IsAllowed.Should().BeTrue();
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        var refused = await store.TryAcquireAsync(Account, PerMinute, 1);

        refused.IsAllowed.Should().BeFalse();
        refused.Window.Should().Be(LimitWindow.MessagesPerMinute);

        // The first send sits in the 2-second bucket [0 s, 2 s): it leaves the counted window at 62 s, and
        // it is now 10 s.
        refused.RetryAfter.Should().Be(TimeSpan.FromSeconds(52));
    }

    [Fact]
    public async Task Refusals_count_nothing_and_the_window_rolls()
    {
        var store = Store();
        for (var i = 0; i < 10; i++)
        {
            (await store.TryAcquireAsync(Account, PerMinute, 1)).IsAllowed.Should().BeTrue();
        }

        for (var i = 0; i < 5; i++)
        {
            (await store.TryAcquireAsync(Account, PerMinute, 1)).IsAllowed.Should().BeFalse();
        }

        var wait = (await store.TryAcquireAsync(Account, PerMinute, 1)).RetryAfter;
        _time.Advance(wait - TimeSpan.FromMilliseconds(1));
        (await store.TryAcquireAsync(Account, PerMinute, 1)).IsAllowed.Should().BeFalse("the window has not rolled yet");
        _time.Advance(TimeSpan.FromMilliseconds(1));
        for (var i = 0; i < 10; i++)
        {
            (await store.TryAcquireAsync(Account, PerMinute, 1)).IsAllowed.Should().BeTrue("the whole window rolled and refusals were not counted");
        }

        (await store.TryAcquireAsync(Account, PerMinute, 1)).IsAllowed.Should().BeFalse();
    }

    [Fact]
    public async Task Instances_share_one_count()
    {
        var first = Store();
        var second = Store();

        for (var i = 0; i < 5; i++)
        {
            (await first.TryAcquireAsync(Account, PerMinute, 1)).IsAllowed.Should().BeTrue();
            (await second.TryAcquireAsync(Account, PerMinute, 1)).IsAllowed.Should().BeTrue();
        }

        (await first.TryAcquireAsync(Account, PerMinute, 1)).Window.Should().Be(LimitWindow.MessagesPerMinute);
        (await second.TryAcquireAsync(Account, PerMinute, 1)).Window.Should().Be(LimitWindow.MessagesPerMinute);
        (await Store().GetAsync(Account))!.MessagesLastMinute.Should().Be(10);
    }

    [Fact]
    public async Task Concurrent_checks_from_four_instances_never_exceed_the_limit()
    {
        var stores = Enumerable.Range(0, 4).Select(_ => Store()).ToArray();
        var limits = new SendLimits { MessagesPerSecond = 2, MessagesPerHour = 37 };

        var decisions = await Task.WhenAll(Enumerable.Range(0, 400).Select(i => stores[i % 4].TryAcquireAsync(Account, limits, 1).AsTask()));
        decisions.Count(d => d.IsAllowed).Should().Be(2, "all 400 checks happen within the same second");

        var allowed = 2;
        for (var second = 0; second < 30; second++)
        {
            _time.Advance(TimeSpan.FromSeconds(1.05));
            var round = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => stores[i % 4].TryAcquireAsync(Account, limits, 1).AsTask()));
            var passed = round.Count(d => d.IsAllowed);
            passed.Should().BeLessThanOrEqualTo(2);
            allowed += passed;
        }

        allowed.Should().Be(37, "the hour's limit binds once the seconds have given out 37 slots, and not one more");
    }

    [Fact]
    public async Task Recipients_count_against_the_daily_recipient_limit()
    {
        var store = Store();
        var limits = new SendLimits { RecipientsPerDay = 10, RecipientsPerMessage = 6 };

        (await store.TryAcquireAsync(Account, limits, 6)).IsAllowed.Should().BeTrue();
        var refused = await store.TryAcquireAsync(Account, limits, 5);

        refused.Window.Should().Be(LimitWindow.RecipientsPerDay);
        (await store.TryAcquireAsync(Account, limits, 4)).IsAllowed.Should().BeTrue();
        (await store.TryAcquireAsync(Account, limits, 7)).Window.Should().Be(LimitWindow.RecipientsPerMessage, "no wait lets a message this large through");
        (await store.GetAsync(Account))!.RecipientsLastDay.Should().Be(10);
    }

    [Fact]
    public async Task A_provider_hold_marked_by_one_instance_refuses_every_instance_until_it_ends()
    {
        var marking = Store();
        var other = Store();
        var until = _time.GetUtcNow().AddHours(2);

        await marking.MarkExhaustedAsync(Account, until, "550 5.4.5 Daily user sending limit exceeded.");

        var refused = await other.TryAcquireAsync(Account, SendLimits.None, 1);
        refused.Window.Should().Be(LimitWindow.ProviderExhausted);
        refused.RetryAfter.Should().Be(TimeSpan.FromHours(2));
        var snapshot = await other.GetAsync(Account);
        snapshot!.ExhaustedUntil.Should().Be(until);
        snapshot.ExhaustedReason.Should().Contain("5.4.5");

        _time.Advance(TimeSpan.FromHours(2));
        (await other.TryAcquireAsync(Account, SendLimits.None, 1)).IsAllowed.Should().BeTrue();
    }

    [Fact]
    public async Task A_snapshot_shows_no_hold_once_it_has_ended()
    {
        var store = Store();
        await store.MarkExhaustedAsync(Account, _time.GetUtcNow().AddHours(1), "550 5.4.5 Daily user sending limit exceeded.");

        _time.Advance(TimeSpan.FromHours(1));
        var snapshot = await store.GetAsync(Account);

        snapshot.Should().NotBeNull("the account is still known");
        snapshot!.ExhaustedUntil.Should().BeNull("the hold ended at this very moment");
        snapshot.ExhaustedReason.Should().BeNull();
    }

    [Fact]
    public async Task A_message_to_exactly_the_days_recipient_limit_goes_through_on_a_fresh_day()
    {
        var store = Store();
        var limits = new SendLimits { RecipientsPerDay = 8, RecipientsPerMessage = 10 };

        (await store.TryAcquireAsync(Account, limits, 8)).IsAllowed.Should().BeTrue();
        (await store.TryAcquireAsync(Account, limits, 1)).Window.Should().Be(LimitWindow.RecipientsPerDay);
    }

    [Fact]
    public async Task An_earlier_hold_never_shortens_a_later_one()
    {
        var store = Store();
        await store.MarkExhaustedAsync(Account, _time.GetUtcNow().AddHours(3), "hourly quota");

        await store.MarkExhaustedAsync(Account, _time.GetUtcNow().AddMinutes(5), "throttled");

        (await store.TryAcquireAsync(Account, SendLimits.None, 1)).RetryAfter.Should().Be(TimeSpan.FromHours(3));
    }

    [Fact]
    public async Task An_unknown_account_has_no_snapshot_and_unlimited_sends_write_nothing()
    {
        var store = Store();

        (await store.GetAsync(Account)).Should().BeNull();
        (await store.TryAcquireAsync(Account, SendLimits.None, 1)).IsAllowed.Should().BeTrue();

        (await store.GetAsync(Account)).Should().BeNull();
        (await KeysAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task Keys_carry_the_prefix_and_a_hash_tag_never_the_mailbox_and_expire_when_idle()
    {
        var store = Store();
        await store.TryAcquireAsync(Account, new SendLimits { MessagesPerSecond = 2, MessagesPerDay = 500 }, 1);

        var key = (await KeysAsync()).Should().ContainSingle().Subject;
        key.Should().MatchRegex($"^{_prefix}quota:\\{{[0-9a-f]{{24}}\\}}$");
        key.Should().NotContainEquivalentOf("gmail");
        var ttl = await redis.Admin.KeyTimeToLiveAsync(key);
        ttl.Should().NotBeNull("an idle account must cost nothing");
        ttl!.Value.Should().BeGreaterThan(TimeSpan.FromHours(24)).And.BeLessThanOrEqualTo(TimeSpan.FromHours(25) + TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task A_short_window_alone_keeps_its_key_for_seconds_not_a_day()
    {
        var store = Store();
        await store.TryAcquireAsync(Account, new SendLimits { MessagesPerSecond = 2 }, 1);

        var key = (await KeysAsync()).Should().ContainSingle().Subject;
        var ttl = await redis.Admin.KeyTimeToLiveAsync(key);
        ttl!.Value.Should().BeLessThanOrEqualTo(TimeSpan.FromSeconds(2.04));
    }

    [Fact]
    public async Task A_clock_behind_the_latest_seen_counts_as_the_latest()
    {
        var ahead = Store();
        var behindClock = new FakeTimeProvider(_time.GetUtcNow() - TimeSpan.FromSeconds(30));
        var behind = new Instance(redis.ConnectionString, _prefix, behindClock, new Settings());
        _instances.Add(behind);
        var behindStore = behind.Get<ISendQuotaStore>();
        var limits = new SendLimits { MessagesPerMinute = 3 };

        (await ahead.TryAcquireAsync(Account, limits, 1)).IsAllowed.Should().BeTrue();
        (await behindStore.TryAcquireAsync(Account, limits, 1)).IsAllowed.Should().BeTrue();
        (await behindStore.TryAcquireAsync(Account, limits, 1)).IsAllowed.Should().BeTrue();

        (await ahead.TryAcquireAsync(Account, limits, 1)).IsAllowed.Should().BeFalse("all three sends count in the same minute, whoever's clock was behind");
    }

    [Fact]
    public async Task A_peek_answers_as_an_acquire_would_and_counts_nothing()
    {
        var store = Store();
        var other = Store();
        (await store.PeekAsync(Account, PerMinute, 1)).IsAllowed.Should().BeTrue();
        (await KeysAsync()).Should().BeEmpty("a peek at an unknown account writes nothing");

        for (var i = 0; i < 10; i++)
        {
            (await store.PeekAsync(Account, PerMinute, 1)).IsAllowed.Should().BeTrue();
            (await other.TryAcquireAsync(Account, PerMinute, 1)).IsAllowed.Should().BeTrue();
        }

        var peeked = await store.PeekAsync(Account, PerMinute, 1);
        var acquired = await other.TryAcquireAsync(Account, PerMinute, 1);

        peeked.Should().Be(acquired, "a peek sees the counts of every instance and refuses with the same window and wait");
        peeked.Window.Should().Be(LimitWindow.MessagesPerMinute);
        (await store.GetAsync(Account))!.MessagesLastMinute.Should().Be(10, "eleven peeks counted nothing");

        await other.MarkExhaustedAsync(Account, _time.GetUtcNow().AddHours(2), "450 Mail send limit exceeded.");
        _time.Advance(TimeSpan.FromMinutes(2));
        var held = await store.PeekAsync(Account, PerMinute, 1);
        held.Window.Should().Be(LimitWindow.ProviderExhausted);
        held.RetryAfter.Should().Be(TimeSpan.FromMinutes(118));
        (await store.PeekAsync(Account, new SendLimits { RecipientsPerMessage = 2 }, 3)).Window.Should().Be(LimitWindow.RecipientsPerMessage);
    }

    private ISendQuotaStore Store()
    {
        var instance = new Instance(redis.ConnectionString, _prefix, _time, new Settings());
        _instances.Add(instance);
        return instance.Get<ISendQuotaStore>();
    }

    private async Task<List<string>> KeysAsync()
    {
        var keys = new List<string>();
        await foreach (var key in redis.AdminServer.KeysAsync(pattern: _prefix + "*"))
        {
            keys.Add(key.ToString());
        }

        return keys;
    }
}
