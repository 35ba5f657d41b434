namespace PetSitter.Email.Tests.Limits;

/// <summary>
/// The warm-up of a new mailbox ends once its ceiling reaches what the account may send in a day, whichever window
/// says how much that is: a day's, an hour's, a minute's or a second's limit.
/// </summary>
public sealed class WarmUpCapacityTests
{
    [Fact]
    public void A_per_minute_limit_ends_the_warm_up_when_the_ceiling_passes_a_days_worth_of_minutes()
    {
        // One a minute is 1,440 a day: 50, 100, 200, 400, 800 fit under it, 1,600 does not.
        var limits = new SendLimits { MessagesPerMinute = 1 };

        Ceilings(limits).Should().Equal(50, 100, 200, 400, 800, 0, 0, 0, 0, 0);
    }

    [Fact]
    public void A_per_second_limit_ends_the_warm_up_when_the_ceiling_passes_a_days_worth_of_seconds()
    {
        // One a second is 86,400 a day, more than the nine days of the schedule reach.
        var limits = new SendLimits { MessagesPerSecond = 1 };

        Ceilings(limits).Should().Equal(50, 100, 200, 400, 800, 1_600, 3_200, 6_400, 12_800, 25_600);
    }

    [Fact]
    public void The_tightest_window_decides_when_several_say_how_much_a_day_allows()
    {
        // 1 a second (86,400), 2 a minute (2,880), 100 an hour (2,400), 5,000 a day, 3,000 recipients a day: the hour's.
        var limits = new SendLimits { MessagesPerSecond = 1, MessagesPerMinute = 2, MessagesPerHour = 100, MessagesPerDay = 5_000, RecipientsPerDay = 3_000 };

        Ceilings(limits).Should().Equal(50, 100, 200, 400, 800, 1_600, 0, 0, 0, 0);
    }

    [Fact]
    public void A_days_recipient_limit_bounds_the_warm_up_like_a_days_message_limit()
    {
        var limits = new SendLimits { RecipientsPerDay = 300 };

        Ceilings(limits).Should().Equal(50, 100, 200, 0, 0, 0, 0, 0, 0, 0);
    }

    private static int[] Ceilings(SendLimits limits) => [.. Enumerable.Range(1, 10).Select(day => MarketingReserve.WarmUpCeiling(50, day, limits))];
}
