using Microsoft.Extensions.Time.Testing;

namespace PetSitter.Email.Tests.Limits;

/// <summary>
/// Long simulated runs on a fake clock: whatever the schedule, no rolling window ever holds more than its
/// limit, and a sender that always has mail uses nearly all of the binding limit.
/// </summary>
public class SendQuotaPropertyTests
{
    private const string Account = "owner@paws.example";
    private readonly FakeTimeProvider time = new();
    private readonly InMemorySendQuotaStore store;

    public SendQuotaPropertyTests() => store = new InMemorySendQuotaStore(time);

    [Theory]
    [InlineData(0)]    // as fast as allowed: on a refusal the clock jumps to the retry-after
    [InlineData(100)]  // polling every 100 ms: a refusal skips to the first poll after the retry-after
    public void Gmail_preset_over_three_days_of_overload_never_exceeds_a_window_and_uses_95_percent_a_day(int pollMs)
    {
        var limits = ProviderPresets.Gmail.Limits;
        var start = time.GetUtcNow();
        var log = new SendLog();

        while (time.GetUtcNow() < start.AddDays(3))
        {
            var decision = store.TryAcquire(Account, limits, 1);
            if (decision.IsAllowed)
            {
                log.Add(time.GetUtcNow(), 1);
                time.Advance(TimeSpan.FromMilliseconds(pollMs));
            }
            else
            {
                time.Advance(NextPoll(decision.RetryAfter, pollMs));
            }
        }

        log.MaxInAnyWindow(TimeSpan.FromDays(1)).Should().BeLessThanOrEqualTo(500);
        log.MaxInAnyWindow(TimeSpan.FromSeconds(1)).Should().BeLessThanOrEqualTo(2);
        log.CountIn(start.AddDays(1), start.AddDays(2)).Should().BeGreaterThanOrEqualTo(475);
        log.CountIn(start.AddDays(2), start.AddDays(3)).Should().BeGreaterThanOrEqualTo(475);
    }

    public static TheoryData<string, SendLimits, int, TimeSpan, TimeSpan> SteadyOverloads() => new()
    {
        { "second", new SendLimits { MessagesPerSecond = 5 }, 1, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5) },
        { "minute", new SendLimits { MessagesPerMinute = 30 }, 1, TimeSpan.FromMinutes(1), TimeSpan.FromHours(3) },
        { "hour", new SendLimits { MessagesPerHour = 50 }, 1, TimeSpan.FromHours(1), TimeSpan.FromDays(3) },
        { "day", new SendLimits { MessagesPerDay = 500 }, 1, TimeSpan.FromDays(1), TimeSpan.FromDays(10) },
        { "recipients per day", new SendLimits { RecipientsPerDay = 1_000 }, 7, TimeSpan.FromDays(1), TimeSpan.FromDays(10) },
        { "paced day", new SendLimits { MessagesPerSecond = 1, MessagesPerDay = 2_000 }, 1, TimeSpan.FromDays(1), TimeSpan.FromDays(6) },
    };

    [Theory]
    [MemberData(nameof(SteadyOverloads))]
    public void Steady_overload_uses_at_least_95_percent_of_the_binding_window(string name, SendLimits limits, int recipients, TimeSpan window, TimeSpan duration)
    {
        var start = time.GetUtcNow();
        var log = new SendLog();
        var used = 0;

        while (time.GetUtcNow() < start + duration)
        {
            var decision = store.TryAcquire(Account, limits, recipients);
            if (decision.IsAllowed)
            {
                log.Add(time.GetUtcNow(), recipients);
                used += time.GetUtcNow() >= start + window ? recipients : 0;
            }
            else
            {
                time.Advance(decision.RetryAfter);
            }
        }

        log.ShouldRespect(limits);
        var limit = limits.RecipientsPerDay ?? limits.MessagesPerDay ?? limits.MessagesPerHour ?? limits.MessagesPerMinute ?? limits.MessagesPerSecond!.Value;
        var capacity = limit * ((duration - window) / window);
        (used / capacity).Should().BeGreaterThanOrEqualTo(0.95, "the {0} window should be used almost fully", name);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(42)]
    [InlineData(2024)]
    public void Random_bursts_and_gaps_never_exceed_any_window_and_retry_after_is_exact(int seed)
    {
        var random = new Random(seed);
        var limits = new SendLimits
        {
            MessagesPerSecond = 3,
            MessagesPerMinute = 40,
            MessagesPerHour = 300,
            MessagesPerDay = 1_500,
            RecipientsPerDay = 4_000,
            RecipientsPerMessage = 20,
        };
        var start = time.GetUtcNow();
        var log = new SendLog();
        var retriesChecked = 0;

        while (time.GetUtcNow() < start.AddDays(3))
        {
            var burst = random.Next(1, 60);
            for (var i = 0; i < burst; i++)
            {
                var recipients = random.Next(100) < 3 ? random.Next(21, 30) : random.Next(1, 8);
                var decision = store.TryAcquire(Account, limits, recipients);
                if (decision.IsAllowed)
                {
                    log.Add(time.GetUtcNow(), recipients);
                }
                else if (!decision.CanRetry)
                {
                    recipients.Should().BeGreaterThan(20);
                }
                else if (random.Next(4) == 0)
                {
                    // Exact: refused a millisecond before the retry-after, allowed at it.
                    time.Advance(decision.RetryAfter - TimeSpan.FromMilliseconds(1));
                    store.TryAcquire(Account, limits, recipients).IsAllowed.Should().BeFalse();
                    time.Advance(TimeSpan.FromMilliseconds(1));
                    store.TryAcquire(Account, limits, recipients).IsAllowed.Should().BeTrue("{0} has passed", decision);
                    log.Add(time.GetUtcNow(), recipients);
                    retriesChecked++;
                }

                time.Advance(TimeSpan.FromMilliseconds(random.Next(0, 50)));
            }

            time.Advance(RandomGap(random));
        }

        log.ShouldRespect(limits);
        log.Count.Should().BeGreaterThan(1_000);
        retriesChecked.Should().BeGreaterThan(20);
    }

    private static TimeSpan RandomGap(Random random) => random.Next(10) switch
    {
        < 4 => TimeSpan.FromMilliseconds(random.Next(1, 1_000)),
        < 7 => TimeSpan.FromSeconds(random.Next(1, 120)),
        < 9 => TimeSpan.FromMinutes(random.Next(1, 90)),
        _ => TimeSpan.FromHours(random.NextDouble() * 6),
    };

    private static TimeSpan NextPoll(TimeSpan retryAfter, int pollMs)
    {
        if (pollMs == 0)
        {
            return retryAfter;
        }

        var polls = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalMilliseconds / pollMs));
        return TimeSpan.FromMilliseconds(polls * pollMs);
    }
}
