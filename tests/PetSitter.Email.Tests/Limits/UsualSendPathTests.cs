using Microsoft.Extensions.Time.Testing;

namespace PetSitter.Email.Tests.Limits;

/// <summary>
/// The in-memory store's short path for the usual send (no hold, room in every window): it checks every window before
/// it counts in any, gives way to the full decision at a full bucket, and the windows it brought up to date before
/// giving way are not brought up to date a second time.
/// </summary>
public sealed class UsualSendPathTests
{
    private const string Account = "smtp.gmail.com|owner@paws.example";
    private readonly FakeTimeProvider time = new();
    private readonly InMemorySendQuotaStore store;

    public UsualSendPathTests() => store = new InMemorySendQuotaStore(time);

    [Fact]
    public void A_send_a_later_window_refuses_leaves_the_earlier_windows_counts_as_they_were()
    {
        var limits = new SendLimits { MessagesPerSecond = 10, MessagesPerMinute = 10, MessagesPerHour = 10, MessagesPerDay = 3 };
        for (var i = 0; i < 3; i++)
        {
            store.TryAcquire(Account, limits, 1).IsAllowed.Should().BeTrue();
        }

        for (var i = 0; i < 4; i++)
        {
            store.TryAcquire(Account, limits, 1).Window.Should().Be(LimitWindow.MessagesPerDay);
        }

        var counts = store.Get(Account)!;
        counts.MessagesLastSecond.Should().Be(3);
        counts.MessagesLastMinute.Should().Be(3);
        counts.MessagesLastHour.Should().Be(3);
        counts.MessagesLastDay.Should().Be(3);

        // Had the refused checks counted in the second, minute and hour, these would be refused by the minute.
        var roomy = new SendLimits { MessagesPerSecond = 10, MessagesPerMinute = 5 };
        store.TryAcquire(Account, roomy, 1).IsAllowed.Should().BeTrue();
        store.TryAcquire(Account, roomy, 1).IsAllowed.Should().BeTrue();
        store.TryAcquire(Account, roomy, 1).Window.Should().Be(LimitWindow.MessagesPerMinute);
    }

    [Fact]
    public void Buckets_that_left_the_window_before_a_later_window_refused_are_taken_out_once()
    {
        var limits = new SendLimits { MessagesPerSecond = 2, MessagesPerMinute = 3 };
        store.TryAcquire(Account, limits, 1).IsAllowed.Should().BeTrue();
        time.Advance(TimeSpan.FromMilliseconds(500));
        store.TryAcquire(Account, limits, 1).IsAllowed.Should().BeTrue();
        time.Advance(TimeSpan.FromMilliseconds(700));
        store.TryAcquire(Account, limits, 1).IsAllowed.Should().BeTrue();

        // 1.3 s on, the first two sends' buckets have left the second: the short path clears them, then the minute
        // refuses and the full decision brings the windows up to date from the same last update.
        time.Advance(TimeSpan.FromMilliseconds(1_300));
        store.TryAcquire(Account, limits, 1).Window.Should().Be(LimitWindow.MessagesPerMinute);

        var counts = store.Get(Account)!;
        counts.MessagesLastSecond.Should().Be(0, "the third send's bucket left the second 1.04 s after it");
        counts.MessagesLastMinute.Should().Be(3);

        // The second window holds exactly what it should: two sends fit again, not three.
        var perSecondOnly = new SendLimits { MessagesPerSecond = 2 };
        store.TryAcquire(Account, perSecondOnly, 1).IsAllowed.Should().BeTrue();
        store.TryAcquire(Account, perSecondOnly, 1).IsAllowed.Should().BeTrue();
        store.TryAcquire(Account, perSecondOnly, 1).Window.Should().Be(LimitWindow.MessagesPerSecond);
    }

    [Fact]
    public void A_full_per_second_bucket_refuses_though_the_per_second_limit_has_room()
    {
        // 1,000 a second is beyond a 40 ms bucket's 255: the 256th send in one bucket waits for the next bucket.
        var limits = new SendLimits { MessagesPerSecond = 1_000, MessagesPerDay = 10_000 };
        for (var i = 0; i < byte.MaxValue; i++)
        {
            store.TryAcquire(Account, limits, 1).IsAllowed.Should().BeTrue();
        }

        var refused = store.TryAcquire(Account, limits, 1);
        refused.Window.Should().Be(LimitWindow.MessagesPerSecond);
        refused.RetryAfter.Should().BeGreaterThan(TimeSpan.Zero).And.BeLessThanOrEqualTo(TimeSpan.FromMilliseconds(40));
        store.Get(Account)!.MessagesLastDay.Should().Be(byte.MaxValue);

        time.Advance(refused.RetryAfter);
        store.TryAcquire(Account, limits, 1).IsAllowed.Should().BeTrue();
    }

    [Fact]
    public void A_send_counted_after_a_remembered_refusal_makes_the_next_check_wait_for_it_too()
    {
        // The same checks on a store that computes every refusal in full give the answers to compare with.
        var full = new InMemorySendQuotaStore(time, rememberRefusals: false);
        var limits = new SendLimits { MessagesPerMinute = 2, MessagesPerDay = 100 };
        var roomier = new SendLimits { MessagesPerMinute = 5, MessagesPerDay = 100 };
        foreach (var s in new[] { store, full })
        {
            s.TryAcquire(Account, limits, 1).IsAllowed.Should().BeTrue();
        }

        time.Advance(TimeSpan.FromSeconds(10));
        foreach (var s in new[] { store, full })
        {
            s.TryAcquire(Account, limits, 1).IsAllowed.Should().BeTrue();
        }

        time.Advance(TimeSpan.FromSeconds(10));
        store.TryAcquire(Account, limits, 1).Window.Should().Be(LimitWindow.MessagesPerMinute, "the store now remembers this refusal");

        // A send the roomier limits allow is counted: the minute now frees only when the second send leaves it, later
        // than the remembered refusal ends.
        foreach (var s in new[] { store, full })
        {
            s.TryAcquire(Account, roomier, 1).IsAllowed.Should().BeTrue();
        }

        time.Advance(TimeSpan.FromSeconds(10));
        var again = store.TryAcquire(Account, limits, 1);
        again.Should().Be(full.TryAcquire(Account, limits, 1));
        again.Window.Should().Be(LimitWindow.MessagesPerMinute);
        again.RetryAfter.Should().Be(TimeSpan.FromSeconds(42), "the second send (at 10 s) leaves the minute's 31st 2 s bucket at 72 s");
    }

    [Fact]
    public void A_provider_hold_refuses_a_send_every_window_has_room_for()
    {
        var limits = new SendLimits { MessagesPerSecond = 10, MessagesPerDay = 100 };
        store.TryAcquire(Account, limits, 1).IsAllowed.Should().BeTrue();
        store.MarkExhausted(Account, time.GetUtcNow().AddMinutes(5), "550 5.4.5 Daily user sending limit exceeded.");

        var refused = store.TryAcquire(Account, limits, 1);
        refused.Window.Should().Be(LimitWindow.ProviderExhausted);
        refused.RetryAfter.Should().Be(TimeSpan.FromMinutes(5));
        store.Get(Account)!.MessagesLastDay.Should().Be(1);
    }
}
