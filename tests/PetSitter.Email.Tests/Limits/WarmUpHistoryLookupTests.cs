using Microsoft.Extensions.Time.Testing;

namespace PetSitter.Email.Tests.Limits;

/// <summary>
/// The reserve asks the quota store when a mailbox's history started (a round trip with a shared store) at most once an
/// hour per mailbox, and again once the hour is over, so a history the store started again is seen within the hour.
/// </summary>
public sealed class WarmUpHistoryLookupTests
{
    private readonly FakeTimeProvider time = new();
    private readonly CountingStore store;
    private readonly MarketingReserve reserve;
    private readonly SmtpAccountSettings owner = new() { Host = "smtp.gmail.com", UserName = "owner@paws.example", FromAddress = "owner@paws.example" };

    public WarmUpHistoryLookupTests()
    {
        store = new CountingStore(new InMemorySendQuotaStore(time));
        reserve = new MarketingReserve(store, time, new SendLimitOptions { MarketingWarmUpFirstDay = 50 });
    }

    [Fact]
    public async Task The_history_is_asked_once_within_an_hour_and_again_when_the_hour_is_over()
    {
        await Marketing();
        time.Advance(TimeSpan.FromHours(1) - TimeSpan.FromTicks(1));
        await Marketing();
        await Direct();
        store.HistoryLookups.Should().Be(1);

        time.Advance(TimeSpan.FromTicks(1));
        await Marketing();

        store.HistoryLookups.Should().Be(2);
    }

    [Fact]
    public async Task A_mailbox_back_after_a_month_without_sending_warms_up_again_from_its_first_day()
    {
        (await Marketing()).WarmUpDay.Should().Be(1);
        time.Advance(TimeSpan.FromDays(2));
        (await Marketing()).WarmUpDay.Should().Be(3);

        time.Advance(TimeSpan.FromDays(31));
        var back = await Marketing();

        (back.WarmUpDay, back.WarmUpCeiling).Should().Be((1, 50), "senders' guides treat a mailbox idle for a month as cold");
    }

    private ValueTask<MarketingShare> Marketing() =>
        reserve.ForAsync(owner, owner.LimitKey(), ProviderPresets.Gmail.Limits, EmailCategory.Marketing, CancellationToken.None);

    private ValueTask<MarketingShare> Direct() =>
        reserve.ForAsync(owner, owner.LimitKey(), ProviderPresets.Gmail.Limits, EmailCategory.Invoice, CancellationToken.None);

    private sealed class CountingStore(InMemorySendQuotaStore inner) : ISendQuotaStore
    {
        public int HistoryLookups { get; private set; }

        public ValueTask<DateTimeOffset?> GetHistoryStartAsync(string accountKey, CancellationToken cancellationToken = default)
        {
            HistoryLookups++;
            return inner.GetHistoryStartAsync(accountKey, cancellationToken);
        }

        public ValueTask<QuotaDecision> TryAcquireAsync(string accountKey, SendLimits limits, int recipients, CancellationToken cancellationToken = default) =>
            inner.TryAcquireAsync(accountKey, limits, recipients, cancellationToken);

        public ValueTask MarkExhaustedAsync(string accountKey, DateTimeOffset until, string reason, CancellationToken cancellationToken = default) =>
            inner.MarkExhaustedAsync(accountKey, until, reason, cancellationToken);

        public ValueTask<QuotaSnapshot?> GetAsync(string accountKey, CancellationToken cancellationToken = default) =>
            inner.GetAsync(accountKey, cancellationToken);
    }
}
