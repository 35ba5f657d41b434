using Microsoft.Extensions.Time.Testing;

namespace PetSitter.Email.Tests.Limits;

/// <summary>
/// What a remembered refusal may and may not answer: only the same limits, the same recipients and the same
/// instant's computation. Each test builds a case where remembering wrongly (wrong limits, wrong recipients, an
/// instant that moves with the clock) gives another answer than the full computation.
/// </summary>
public sealed class RefusalMemoryTests
{
    private const string Account = "smtp.gmail.com|owner@paws.example";
    private readonly FakeTimeProvider time = new();
    private readonly InMemorySendQuotaStore store;

    public RefusalMemoryTests() => store = new InMemorySendQuotaStore(time);

    [Fact]
    public void A_window_limited_to_zero_refuses_each_check_for_a_whole_window_from_then()
    {
        // Unvalidated settings can carry a zero limit: nothing ever frees, so the wait is the whole ring from the
        // check's own bucket, and it moves with the clock rather than counting down to a fixed instant.
        var limits = new SendLimits { MessagesPerMinute = 0 };

        var first = store.TryAcquire(Account, limits, 1);
        first.Window.Should().Be(LimitWindow.MessagesPerMinute);
        first.RetryAfter.Should().Be(TimeSpan.FromSeconds(62));

        time.Advance(TimeSpan.FromSeconds(3));
        store.TryAcquire(Account, limits, 1).RetryAfter.Should().Be(TimeSpan.FromSeconds(61), "the 2 s bucket of the check, plus the whole minute ring");
        store.Get(Account)!.MessagesLastMinute.Should().Be(0);
    }

    [Fact]
    public void Past_the_numbered_kinds_of_limits_a_refusal_for_one_is_never_answered_for_another()
    {
        // Numbered before the store runs out of numbers: one send, then a remembered refusal.
        var early = new SendLimits { MessagesPerMinute = 1 };
        store.TryAcquire(Account, early, 1).IsAllowed.Should().BeTrue();
        store.TryAcquire(Account, early, 1).Window.Should().Be(LimitWindow.MessagesPerMinute);
        RunOutOfLimitsNumbers(store);

        // Unnumbered limits: neither the numbered refusal nor an unnumbered one's may speak for them.
        var looser = new SendLimits { MessagesPerMinute = 5 };
        store.TryAcquire(Account, looser, 1).IsAllowed.Should().BeTrue("one send of five in the minute");

        const string other = "smtp.office365.com|desk@paws.example";
        var strictLate = new SendLimits { MessagesPerMinute = 1, MessagesPerHour = 100 };
        var looseLate = new SendLimits { MessagesPerMinute = 3, MessagesPerHour = 100 };
        store.TryAcquire(other, strictLate, 1).IsAllowed.Should().BeTrue();
        store.TryAcquire(other, strictLate, 1).Window.Should().Be(LimitWindow.MessagesPerMinute);
        store.TryAcquire(other, looseLate, 1).IsAllowed.Should().BeTrue("one send of three in the minute");
        store.TryAcquire(other, strictLate, 1).RetryAfter.Should().Be(TimeSpan.FromSeconds(62));
    }

    [Fact]
    public void Past_the_numbered_kinds_of_limits_a_refused_check_with_new_limits_allocates_nothing()
    {
        // The numbers' table stops growing at its last number: a warm-up store first, so the code paths are compiled.
        var warm = new InMemorySendQuotaStore(time);
        RunOutOfLimitsNumbers(warm);
        warm.TryAcquire("filler", new SendLimits { MessagesPerMinute = 1, MessagesPerDay = 7 }, 1).IsAllowed.Should().BeFalse();

        RunOutOfLimitsNumbers(store);
        var unseen = Enumerable.Range(1, 5).Select(i => new SendLimits { MessagesPerMinute = 1, MessagesPerDay = i }).ToArray();

        var before = GC.GetAllocatedBytesForCurrentThread();
        var refused = 0;
        foreach (var limits in unseen)
        {
            refused += store.TryAcquire("filler", limits, 1).IsAllowed ? 0 : 1;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        refused.Should().Be(5);
        allocated.Should().Be(0);
    }

    [Fact]
    public void A_refusal_for_more_recipients_than_a_refusal_can_name_is_not_answered_for_a_smaller_message()
    {
        var limits = new SendLimits { RecipientsPerDay = 1_000 };
        store.TryAcquire(Account, limits, 800).IsAllowed.Should().BeTrue();
        store.TryAcquire(Account, limits, 300).Window.Should().Be(LimitWindow.RecipientsPerDay);

        // 300 does not fit the refusal's recipient count; 44 is what would be left of it.
        store.TryAcquire(Account, limits, 44).IsAllowed.Should().BeTrue("844 of 1,000 recipients");
    }

    [Fact]
    public void A_refusal_remembered_for_a_few_recipients_does_not_answer_a_large_message()
    {
        var limits = new SendLimits { MessagesPerSecond = 1, RecipientsPerDay = 520 };
        store.TryAcquire(Account, limits, 10).IsAllowed.Should().BeTrue();
        var second = store.TryAcquire(Account, limits, 10);
        second.Window.Should().Be(LimitWindow.MessagesPerSecond);

        // 511 recipients would also wait for the second, but they overflow the day's recipients: that is the answer.
        var large = store.TryAcquire(Account, limits, 511);

        large.Window.Should().Be(LimitWindow.RecipientsPerDay);
        large.RetryAfter.Should().Be(TimeSpan.FromHours(25));
    }

    /// <summary>Makes the store number as many distinct limits as a remembered refusal can name.</summary>
    private static void RunOutOfLimitsNumbers(InMemorySendQuotaStore target)
    {
        // Only a refusal numbers its limits: one send fills the minute, then each new value is refused once.
        target.TryAcquire("filler", new SendLimits { MessagesPerMinute = 1, MessagesPerDay = 1_000_000 }, 1).IsAllowed.Should().BeTrue();
        for (var n = 1; n <= AccountCells.MaxLimitsId; n++)
        {
            target.TryAcquire("filler", new SendLimits { MessagesPerMinute = 1, MessagesPerDay = 100_000 + n }, 1).IsAllowed.Should().BeFalse();
        }
    }
}
