namespace PetSitter.Email.Tests.Limits;

/// <summary>What a store written before <see cref="ISendQuotaStore.PeekAsync"/> and the mailbox history gets from the interface.</summary>
public class SendQuotaStoreDefaultsTests
{
    private const string Account = "smtp.gmail.com|paws.sitting@gmail.com";

    [Fact]
    public async Task A_store_without_a_look_of_its_own_allows_the_look_and_keeps_no_history()
    {
        ISendQuotaStore store = new CountOnlyStore();

        (await store.PeekAsync(Account, SendLimits.None, 1)).IsAllowed.Should().BeTrue("the message is still checked when it goes on the wire");
        (await store.GetHistoryStartAsync(Account)).Should().BeNull("no history means no warm-up");
    }

    [Fact]
    public async Task A_store_without_a_look_of_its_own_still_honours_a_cancelled_token()
    {
        ISendQuotaStore store = new CountOnlyStore();
        var cancelled = new CancellationToken(canceled: true);

        await store.Invoking(s => s.PeekAsync(Account, SendLimits.None, 1, cancelled).AsTask()).Should().ThrowAsync<OperationCanceledException>();
        await store.Invoking(s => s.GetHistoryStartAsync(Account, cancelled).AsTask()).Should().ThrowAsync<OperationCanceledException>();
    }

    /// <summary>Implements only what the interface requires.</summary>
    private sealed class CountOnlyStore : ISendQuotaStore
    {
        public ValueTask<QuotaDecision> TryAcquireAsync(string accountKey, SendLimits limits, int recipients, CancellationToken cancellationToken = default) =>
            new(QuotaDecision.Allow());

        public ValueTask MarkExhaustedAsync(string accountKey, DateTimeOffset until, string reason, CancellationToken cancellationToken = default) =>
            ValueTask.CompletedTask;

        public ValueTask<QuotaSnapshot?> GetAsync(string accountKey, CancellationToken cancellationToken = default) =>
            new((QuotaSnapshot?)null);
    }
}
