using Microsoft.Extensions.Time.Testing;

namespace PetSitter.Email.Tests.Limits;

/// <summary>
/// When the in-memory store says a mailbox's history with the library started (the marketing warm-up counts its days
/// from it): kept while the mailbox sends, started again after a month without a send, as senders' guides treat a
/// mailbox idle that long as cold.
/// </summary>
public sealed class MailboxHistoryTests
{
    private const string Account = "smtp.gmail.com|owner@paws.example";
    private readonly FakeTimeProvider time = new();
    private readonly InMemorySendQuotaStore store;

    public MailboxHistoryTests() => store = new InMemorySendQuotaStore(time);

    [Fact]
    public async Task A_mailbox_seen_again_after_exactly_thirty_days_keeps_its_history()
    {
        var first = await store.GetHistoryStartAsync(Account);

        time.Advance(TimeSpan.FromDays(30));

        (await store.GetHistoryStartAsync(Account)).Should().Be(first);
        first.Should().Be(time.GetUtcNow() - TimeSpan.FromDays(30));
    }

    [Fact]
    public async Task A_mailbox_idle_a_moment_longer_than_thirty_days_starts_its_history_again()
    {
        await store.GetHistoryStartAsync(Account);

        time.Advance(TimeSpan.FromDays(30) + TimeSpan.FromTicks(1));

        (await store.GetHistoryStartAsync(Account)).Should().Be(time.GetUtcNow());
    }

    [Fact]
    public async Task A_mailbox_that_keeps_sending_keeps_its_history_however_long_it_runs()
    {
        var first = await store.GetHistoryStartAsync(Account);
        for (var month = 0; month < 3; month++)
        {
            time.Advance(TimeSpan.FromDays(20));
            (await store.GetHistoryStartAsync(Account)).Should().Be(first, "each sight of the mailbox counts as activity");
        }
    }

    [Fact]
    public async Task Each_mailbox_has_its_own_history()
    {
        var first = await store.GetHistoryStartAsync(Account);
        time.Advance(TimeSpan.FromDays(2));

        (await store.GetHistoryStartAsync("smtp.gmail.com|other@paws.example")).Should().Be(time.GetUtcNow());
        (await store.GetHistoryStartAsync(Account)).Should().Be(first);
    }
}
