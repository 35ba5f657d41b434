using Microsoft.Extensions.Time.Testing;

namespace PetSitter.Email.Tests.Limits;

/// <summary>
/// Limits that gain a window make the store carry an account's counts into a larger layout: the sends counted
/// before must leave each window exactly when they would have, not linger nor vanish.
/// </summary>
public sealed class WindowGrowthTests
{
    private const string Account = "smtp.gmail.com|owner@paws.example";
    private readonly FakeTimeProvider time = new();
    private readonly InMemorySendQuotaStore store;

    public WindowGrowthTests() => store = new InMemorySendQuotaStore(time);

    [Fact]
    public void Sends_counted_before_a_day_limit_appeared_leave_the_minute_on_time()
    {
        var minute = new SendLimits { MessagesPerMinute = 2 };
        var minuteAndDay = new SendLimits { MessagesPerMinute = 2, MessagesPerDay = 100 };
        store.TryAcquire(Account, minute, 1).IsAllowed.Should().BeTrue();
        store.TryAcquire(Account, minute, 1).IsAllowed.Should().BeTrue();

        time.Advance(TimeSpan.FromSeconds(10));
        store.TryAcquire(Account, minuteAndDay, 1).RetryAfter.Should().Be(TimeSpan.FromSeconds(52));

        time.Advance(TimeSpan.FromSeconds(52));
        store.TryAcquire(Account, minuteAndDay, 1).IsAllowed.Should().BeTrue("both sends have left the minute");
        store.TryAcquire(Account, minuteAndDay, 1).IsAllowed.Should().BeTrue();
        store.TryAcquire(Account, minuteAndDay, 1).Window.Should().Be(LimitWindow.MessagesPerMinute);
        store.Get(Account)!.MessagesLastMinute.Should().Be(2);
    }

    [Fact]
    public void Sends_counted_in_two_windows_before_a_third_appeared_keep_counting_in_both()
    {
        var minuteAndHour = new SendLimits { MessagesPerMinute = 2, MessagesPerHour = 3 };
        var withDay = new SendLimits { MessagesPerMinute = 2, MessagesPerHour = 3, MessagesPerDay = 100 };
        store.TryAcquire(Account, minuteAndHour, 1).IsAllowed.Should().BeTrue();
        store.TryAcquire(Account, minuteAndHour, 1).IsAllowed.Should().BeTrue();

        time.Advance(TimeSpan.FromSeconds(10));
        store.TryAcquire(Account, withDay, 1).RetryAfter.Should().Be(TimeSpan.FromSeconds(52));

        time.Advance(TimeSpan.FromSeconds(52));
        store.TryAcquire(Account, withDay, 1).IsAllowed.Should().BeTrue("both sends have left the minute");
        var third = store.TryAcquire(Account, withDay, 1);
        third.Window.Should().Be(LimitWindow.MessagesPerHour, "the hour still holds the two sends made before the day was asked for");

        var counts = store.Get(Account)!;
        counts.MessagesLastMinute.Should().Be(1);
        counts.MessagesLastHour.Should().Be(3);
        counts.MessagesLastDay.Should().Be(1, "the day is counted from when it was first asked for");
    }
}
