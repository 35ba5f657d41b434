using Microsoft.Extensions.Time.Testing;

namespace PetSitter.Email.Tests.Limits;

/// <summary>
/// The store remembers a refusal's end so a repeated refusal skips the windows. These tests pin that the
/// remembered answer is always the one the full computation gives: against a store that never remembers,
/// and around what must make it forget (a count, a provider hold, other limits, eviction).
/// </summary>
public class RememberedRefusalTests
{
    private const string Account = "smtp.gmail.com|owner@paws.example";
    private readonly FakeTimeProvider time = new();
    private readonly InMemorySendQuotaStore store;

    public RememberedRefusalTests() => store = new InMemorySendQuotaStore(time);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public void Every_answer_equals_the_full_computation_over_random_schedules(int seed)
    {
        var full = new InMemorySendQuotaStore(time, rememberRefusals: false);
        var random = new Random(seed);
        var accounts = new[] { "a", "b", "c" };
        var minute = new SendLimits { MessagesPerMinute = 4, MessagesPerDay = 40 };

        // Equal values in two instances (one matched by reference, one by value), stricter and looser ones.
        var choices = new[]
        {
            minute,
            minute with { },
            new SendLimits { MessagesPerSecond = 2, MessagesPerMinute = 6, RecipientsPerDay = 30 },
            new SendLimits { MessagesPerSecond = 1, MessagesPerHour = 20, MessagesPerDay = 40 },
            new SendLimits { MessagesPerMinute = 9 },
        };
        var refusals = 0;

        for (var step = 0; step < 4_000; step++)
        {
            var account = accounts[random.Next(accounts.Length)];
            var roll = random.Next(100);
            if (roll < 3)
            {
                var until = time.GetUtcNow().AddMilliseconds(random.Next(1, 3_600_000));
                store.MarkExhausted(account, until, "quota");
                full.MarkExhausted(account, until, "quota");
            }
            else if (roll < 6)
            {
                store.Get(account).Should().BeEquivalentTo(full.Get(account), $"step {step}");
            }
            else
            {
                var limits = choices[random.Next(choices.Length)];
                var recipients = random.Next(3) switch { 0 => 1, 1 => 2, _ => 3 };
                var remembered = store.TryAcquire(account, limits, recipients);
                remembered.Should().Be(full.TryAcquire(account, limits, recipients), $"step {step}: {account}, {limits}, {recipients} recipients");
                refusals += remembered.IsAllowed ? 0 : 1;
            }

            time.Advance(TimeSpan.FromMilliseconds(random.Next(10) switch
            {
                < 4 => 0,
                < 7 => random.Next(1, 500),
                < 9 => random.Next(1, 60_000),
                _ => random.Next(1, 4 * 3_600_000),
            }));
        }

        refusals.Should().BeGreaterThan(500, "the schedule must exercise repeated refusals");
    }

    [Fact]
    public void A_repeated_refusal_counts_down_to_the_millisecond()
    {
        var limits = new SendLimits { MessagesPerMinute = 2 };
        store.TryAcquire(Account, limits, 1);
        time.Advance(TimeSpan.FromSeconds(10));
        store.TryAcquire(Account, limits, 1);

        store.TryAcquire(Account, limits, 1).RetryAfter.Should().Be(TimeSpan.FromSeconds(52));
        time.Advance(TimeSpan.FromMilliseconds(12_345));
        store.TryAcquire(Account, limits, 1).RetryAfter.Should().Be(TimeSpan.FromMilliseconds(52_000 - 12_345));
        time.Advance(TimeSpan.FromMilliseconds(52_000 - 12_345 - 1));
        store.TryAcquire(Account, limits, 1).RetryAfter.Should().Be(TimeSpan.FromMilliseconds(1));

        time.Advance(TimeSpan.FromMilliseconds(1));
        store.TryAcquire(Account, limits, 1).IsAllowed.Should().BeTrue();
    }

    [Fact]
    public void A_provider_hold_recorded_after_a_refusal_lengthens_the_next_one()
    {
        var limits = new SendLimits { MessagesPerMinute = 1 };
        store.TryAcquire(Account, limits, 1);
        store.TryAcquire(Account, limits, 1).Window.Should().Be(LimitWindow.MessagesPerMinute);

        store.MarkExhausted(Account, time.GetUtcNow().AddHours(2), "daily quota reached");

        var refused = store.TryAcquire(Account, limits, 1);
        refused.Window.Should().Be(LimitWindow.ProviderExhausted);
        refused.RetryAfter.Should().Be(TimeSpan.FromHours(2));
    }

    [Fact]
    public void Looser_limits_for_the_same_account_are_not_held_to_a_stricter_refusal()
    {
        var strict = new SendLimits { MessagesPerMinute = 1 };
        var loose = new SendLimits { MessagesPerMinute = 3 };
        store.TryAcquire(Account, strict, 1).IsAllowed.Should().BeTrue();
        store.TryAcquire(Account, strict, 1).IsAllowed.Should().BeFalse();

        store.TryAcquire(Account, loose, 1).IsAllowed.Should().BeTrue();

        // Two counted now: the strict limits' refusal still ends when the first send leaves the minute.
        time.Advance(TimeSpan.FromSeconds(1));
        store.TryAcquire(Account, strict, 1).RetryAfter.Should().Be(TimeSpan.FromSeconds(61));
    }

    [Fact]
    public void Stricter_limits_get_their_own_longer_refusal()
    {
        var minute = new SendLimits { MessagesPerMinute = 1 };
        var withDay = new SendLimits { MessagesPerMinute = 1, MessagesPerDay = 1 };
        store.TryAcquire(Account, withDay, 1).IsAllowed.Should().BeTrue();
        store.TryAcquire(Account, minute, 1).Window.Should().Be(LimitWindow.MessagesPerMinute);

        var refused = store.TryAcquire(Account, withDay, 1);

        refused.Window.Should().Be(LimitWindow.MessagesPerDay);
        refused.RetryAfter.Should().Be(TimeSpan.FromHours(25));
    }

    [Fact]
    public void A_message_with_fewer_recipients_is_not_held_to_a_larger_ones_refusal()
    {
        var limits = new SendLimits { RecipientsPerDay = 10 };
        store.TryAcquire(Account, limits, 8).IsAllowed.Should().BeTrue();
        store.TryAcquire(Account, limits, 5).Window.Should().Be(LimitWindow.RecipientsPerDay);

        store.TryAcquire(Account, limits, 2).IsAllowed.Should().BeTrue();
    }

    [Fact]
    public void An_evicted_account_starts_again_without_its_refusal()
    {
        var limits = new SendLimits { MessagesPerDay = 1 };
        store.TryAcquire(Account, limits, 1);
        store.TryAcquire(Account, limits, 1).IsAllowed.Should().BeFalse();

        time.Advance(TimeSpan.FromHours(25));
        for (var i = 0; i < 10; i++)
        {
            store.TryAcquire($"new-{i}", limits, 1);
        }

        store.Get(Account).Should().BeNull("the idle account was dropped");
        store.TryAcquire(Account, limits, 1).IsAllowed.Should().BeTrue();
        store.TryAcquire(Account, limits, 1).RetryAfter.Should().Be(TimeSpan.FromHours(25));
    }

    [Fact]
    public void Concurrent_refusals_all_name_the_same_end()
    {
        var limits = new SendLimits { MessagesPerHour = 100 };
        var allowed = 0;
        var waits = new System.Collections.Concurrent.ConcurrentBag<TimeSpan>();

        Parallel.For(0, 20_000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
        {
            var decision = store.TryAcquire(Account, limits, 1);
            if (decision.IsAllowed)
            {
                Interlocked.Increment(ref allowed);
            }
            else
            {
                waits.Add(decision.RetryAfter);
            }
        });

        allowed.Should().Be(100);
        waits.Distinct().Should().Equal(TimeSpan.FromMinutes(62));
    }

    [Fact]
    public void Past_the_remembered_kinds_of_limits_refusals_are_computed_in_full_and_stay_exact()
    {
        var full = new InMemorySendQuotaStore(time, rememberRefusals: false);

        // More distinct limits than a refusal can name: the later ones are never remembered.
        for (var perDay = 1; perDay <= AccountCells.MaxLimitsId + 50; perDay++)
        {
            var limits = new SendLimits { MessagesPerMinute = 1, MessagesPerDay = perDay };
            var account = $"owner{perDay % 7}";
            store.TryAcquire(account, limits, 1).Should().Be(full.TryAcquire(account, limits, 1));
            store.TryAcquire(account, limits, 1).Should().Be(full.TryAcquire(account, limits, 1));
            time.Advance(TimeSpan.FromMilliseconds(perDay % 3 * 700));
        }
    }

    [Fact]
    public void A_per_second_bucket_refuses_at_255_rather_than_overflow()
    {
        var limits = new SendLimits { MessagesPerSecond = 10_000 };

        var allowed = Enumerable.Range(0, 300).Count(_ => store.TryAcquire(Account, limits, 1).IsAllowed);
        var refused = store.TryAcquire(Account, limits, 1);

        allowed.Should().Be(255);
        refused.Window.Should().Be(LimitWindow.MessagesPerSecond);
        refused.RetryAfter.Should().Be(TimeSpan.FromMilliseconds(40));
        time.Advance(TimeSpan.FromMilliseconds(40));
        store.TryAcquire(Account, limits, 1).IsAllowed.Should().BeTrue();
        store.Get(Account)!.MessagesLastSecond.Should().Be(256);
    }
}
