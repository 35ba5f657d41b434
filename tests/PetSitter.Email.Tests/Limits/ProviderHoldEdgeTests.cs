using Microsoft.Extensions.Time.Testing;

namespace PetSitter.Email.Tests.Limits;

/// <summary>
/// A provider's hold at its edges: a reset of exactly now holds nothing, a hold with the same reset keeps its first
/// reason, a hold that has just ended no longer shows in the snapshot, and a cancelled snapshot is cancelled.
/// </summary>
public sealed class ProviderHoldEdgeTests
{
    private const string Account = "smtp.gmail.com|owner@paws.example";
    private const string GmailDaily = "550-5.4.5 Daily user sending limit exceeded. For more information on Gmail sending limits go to https://support.google.com/a/answer/166852 - gsmtp";
    private readonly FakeTimeProvider time = new();
    private readonly InMemorySendQuotaStore store;

    public ProviderHoldEdgeTests() => store = new InMemorySendQuotaStore(time);

    [Fact]
    public void A_reset_of_exactly_now_holds_nothing_and_adds_no_account()
    {
        // IONOS's hourly quota reply (/work/shared/providers.md, "hourly quota"), as in the store's other tests.
        store.MarkExhausted(Account, time.GetUtcNow(), "450 Mail send limit exceeded.");

        store.Get(Account).Should().BeNull();
        store.TrackedAccounts.Should().Be(0);
        store.TryAcquire(Account, SendLimits.None, 1).IsAllowed.Should().BeTrue();
    }

    [Fact]
    public void A_second_hold_with_the_same_reset_keeps_the_first_reason()
    {
        // Gmail's daily quota reply, then its older wording (both from /work/shared/providers.md, "daily quota").
        var reset = time.GetUtcNow().AddHours(1);
        store.MarkExhausted(Account, reset, GmailDaily);
        store.MarkExhausted(Account, reset, "550 5.4.5 Daily sending quota exceeded");

        var snapshot = store.Get(Account)!;

        snapshot.ExhaustedUntil.Should().Be(reset);
        snapshot.ExhaustedReason.Should().Be(GmailDaily);
    }

    [Fact]
    public void At_its_reset_a_hold_no_longer_shows_in_the_snapshot()
    {
        store.MarkExhausted(Account, time.GetUtcNow().AddHours(1), "450 Mail send limit exceeded.");
        time.Advance(TimeSpan.FromHours(1) - TimeSpan.FromMilliseconds(1));
        store.Get(Account)!.ExhaustedReason.Should().Be("450 Mail send limit exceeded.");

        time.Advance(TimeSpan.FromMilliseconds(1));
        var snapshot = store.Get(Account)!;

        snapshot.ExhaustedUntil.Should().BeNull();
        snapshot.ExhaustedReason.Should().BeNull();
    }

    [Fact]
    public async Task A_cancelled_snapshot_request_is_cancelled()
    {
        store.TryAcquire(Account, new SendLimits { MessagesPerDay = 1 }, 1).IsAllowed.Should().BeTrue();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var act = async () => await store.GetAsync(Account, cancelled.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
    }
}
