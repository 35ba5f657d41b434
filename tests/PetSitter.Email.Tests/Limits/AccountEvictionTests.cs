using Microsoft.Extensions.Time.Testing;

namespace PetSitter.Email.Tests.Limits;

/// <summary>
/// When the idle sweep drops an account: as soon as every window it tracks has emptied (its longest window, not a
/// day for every account), and for an entry that only held a provider hold, once that hold has ended; every new
/// account pays for the sweep, a provider hold recorded for a new account included.
/// </summary>
public sealed class AccountEvictionTests
{
    private readonly FakeTimeProvider time = new();
    private readonly InMemorySendQuotaStore store;

    public AccountEvictionTests() => store = new InMemorySendQuotaStore(time);

    [Fact]
    public void An_account_with_only_a_minute_limit_is_dropped_by_the_next_new_account_once_its_minute_is_empty()
    {
        var limits = new SendLimits { MessagesPerMinute = 5 };
        store.TryAcquire("idle", limits, 1).IsAllowed.Should().BeTrue();

        // The 2 s bucket of the send leaves the minute 62 s later.
        time.Advance(TimeSpan.FromSeconds(62));
        store.TryAcquire("new", limits, 1).IsAllowed.Should().BeTrue();

        store.Get("idle").Should().BeNull("its minute is empty: nothing is left to count");
        store.TrackedAccounts.Should().Be(1);
    }

    [Fact]
    public void An_account_with_only_a_minute_limit_is_kept_while_its_minute_still_counts()
    {
        var limits = new SendLimits { MessagesPerMinute = 5 };
        store.TryAcquire("busy", limits, 1).IsAllowed.Should().BeTrue();

        time.Advance(TimeSpan.FromMilliseconds(61_999));
        store.TryAcquire("new", limits, 1).IsAllowed.Should().BeTrue();

        store.Get("busy")!.MessagesLastMinute.Should().Be(1);
    }

    [Fact]
    public void An_account_known_only_by_a_provider_hold_is_dropped_once_the_hold_has_ended()
    {
        store.MarkExhausted("held", time.GetUtcNow().AddHours(1), "450 Mail send limit exceeded.");

        time.Advance(TimeSpan.FromHours(1));
        store.TryAcquire("new", new SendLimits { MessagesPerDay = 10 }, 1).IsAllowed.Should().BeTrue();

        store.Get("held").Should().BeNull("the hold ended and the entry counted nothing");
        store.TrackedAccounts.Should().Be(1);
    }

    [Fact]
    public void A_provider_hold_recorded_for_a_new_account_also_sweeps_idle_ones()
    {
        store.TryAcquire("idle", new SendLimits { MessagesPerMinute = 5 }, 1).IsAllowed.Should().BeTrue();

        time.Advance(TimeSpan.FromSeconds(62));
        store.MarkExhausted("held", time.GetUtcNow().AddHours(1), "450 Mail send limit exceeded.");

        store.Get("idle").Should().BeNull();
        store.Get("held")!.ExhaustedReason.Should().Be("450 Mail send limit exceeded.");
    }
}
