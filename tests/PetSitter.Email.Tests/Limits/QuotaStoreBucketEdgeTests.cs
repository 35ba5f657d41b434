using Microsoft.Extensions.Time.Testing;

namespace PetSitter.Email.Tests.Limits;

/// <summary>
/// The in-memory store's counting at its edges: a look counts nothing, a message may use a whole day's recipients,
/// a saturated per-second bucket is forgotten with the bucket, ties between windows name the same window as the
/// Redis store, windows are counted from the store's own start, and the count stays exact under contention.
/// </summary>
public sealed class QuotaStoreBucketEdgeTests
{
    private const string Account = "smtp.gmail.com|owner@paws.example";
    private readonly FakeTimeProvider time = new();
    private readonly InMemorySendQuotaStore store;

    public QuotaStoreBucketEdgeTests() => store = new InMemorySendQuotaStore(time);

    [Fact]
    public void Looks_count_nothing_in_any_window()
    {
        var limits = new SendLimits { MessagesPerSecond = 100, MessagesPerMinute = 100, MessagesPerHour = 100, MessagesPerDay = 100, RecipientsPerDay = 100 };
        store.TryAcquire(Account, limits, 2).IsAllowed.Should().BeTrue();

        for (var i = 0; i < 3; i++)
        {
            store.Peek(Account, limits, 2).IsAllowed.Should().BeTrue();
        }

        var counts = store.Get(Account)!;
        counts.MessagesLastSecond.Should().Be(1);
        counts.MessagesLastMinute.Should().Be(1);
        counts.MessagesLastHour.Should().Be(1);
        counts.MessagesLastDay.Should().Be(1);
        counts.RecipientsLastDay.Should().Be(2);
    }

    [Fact]
    public void A_message_may_have_exactly_as_many_recipients_as_the_whole_day_allows()
    {
        var limits = new SendLimits { RecipientsPerDay = 5 };

        store.TryAcquire(Account, limits, 5).IsAllowed.Should().BeTrue();
        store.TryAcquire(Account, limits, 1).Window.Should().Be(LimitWindow.RecipientsPerDay);
    }

    [Fact]
    public void Sends_past_a_full_per_second_bucket_of_an_unset_limit_leave_with_the_bucket()
    {
        // The per-second window is tracked (asked for once) but the next limits leave it unset: their sends are
        // still counted there, and the 40 ms bucket saturates at 255 rather than wrap round.
        var perSecond = new SendLimits { MessagesPerSecond = 10 };
        var perMinute = new SendLimits { MessagesPerMinute = 1_000 };
        store.TryAcquire(Account, perSecond, 1).IsAllowed.Should().BeTrue();
        for (var i = 0; i < 300; i++)
        {
            store.TryAcquire(Account, perMinute, 1).IsAllowed.Should().BeTrue();
        }

        store.Get(Account)!.MessagesLastSecond.Should().Be(255);

        time.Advance(TimeSpan.FromSeconds(2));
        store.Get(Account)!.MessagesLastSecond.Should().Be(0);
        store.TryAcquire(Account, perSecond, 1).IsAllowed.Should().BeTrue("the second that held the burst is over");
    }

    [Fact]
    public void On_equal_waits_the_hold_then_the_earlier_window_names_the_refusal()
    {
        var day = new SendLimits { MessagesPerDay = 1, RecipientsPerDay = 1 };
        store.TryAcquire(Account, day, 1).IsAllowed.Should().BeTrue();

        var both = store.TryAcquire(Account, day, 1);
        both.Window.Should().Be(LimitWindow.MessagesPerDay, "messages and recipients both free in 25 h; the Redis store names messages too");
        both.RetryAfter.Should().Be(TimeSpan.FromHours(25));

        const string other = "smtp.office365.com|desk@paws.example";
        var minute = new SendLimits { MessagesPerMinute = 1 };
        store.TryAcquire(other, minute, 1).IsAllowed.Should().BeTrue();
        store.MarkExhausted(other, time.GetUtcNow().AddSeconds(62), "450 Mail send limit exceeded.");

        var held = store.TryAcquire(other, minute, 1);
        held.Window.Should().Be(LimitWindow.ProviderExhausted, "the provider's hold and the minute both end in 62 s");
        held.RetryAfter.Should().Be(TimeSpan.FromSeconds(62));
    }

    [Fact]
    public void Windows_are_counted_from_the_stores_start_whatever_the_clock_read_then()
    {
        // Half a second past the minute: the timestamp the store starts from is not a whole number of buckets.
        var odd = new FakeTimeProvider(new DateTimeOffset(2025, 3, 14, 9, 0, 0, 500, TimeSpan.Zero));
        var started = new InMemorySendQuotaStore(odd);
        var limits = new SendLimits { MessagesPerMinute = 2 };
        started.TryAcquire(Account, limits, 1).IsAllowed.Should().BeTrue();
        started.TryAcquire(Account, limits, 1).IsAllowed.Should().BeTrue();

        started.TryAcquire(Account, limits, 1).RetryAfter.Should().Be(TimeSpan.FromSeconds(62));
        odd.Advance(TimeSpan.FromSeconds(62));
        started.TryAcquire(Account, limits, 1).IsAllowed.Should().BeTrue();
    }

    [Fact]
    public void Concurrent_sends_to_one_account_are_each_counted_once()
    {
        // Far below every limit and below a day bucket's 65,535: every check is allowed and must be counted exactly.
        // The threads start each round together on a fresh account, so they contend for its lock.
        var limits = new SendLimits { MessagesPerDay = 1_000_000, RecipientsPerDay = 1_000_000 };
        const int Threads = 4;
        const int Rounds = 20;
        const int PerRound = 10_000;
        var allowed = new int[Rounds];
        using var start = new Barrier(Threads);

        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, _ =>
        {
            for (var round = 0; round < Rounds; round++)
            {
                start.SignalAndWait();
                var mine = 0;
                for (var i = 0; i < PerRound; i++)
                {
                    mine += store.TryAcquire($"account-{round}", limits, 1).IsAllowed ? 1 : 0;
                }

                Interlocked.Add(ref allowed[round], mine);
            }
        });

        for (var round = 0; round < Rounds; round++)
        {
            allowed[round].Should().Be(Threads * PerRound);
            var counts = store.Get($"account-{round}")!;
            counts.MessagesLastDay.Should().Be(Threads * PerRound, $"round {round}");
            counts.RecipientsLastDay.Should().Be(Threads * PerRound, $"round {round}");
        }
    }
}
