using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using PetSitter.Email.Testing;
using PetSitter.Email.Tests.EndToEnd;
using PetSitter.Email.Tests.Secrets;

namespace PetSitter.Email.Tests.Suppression;

/// <summary>
/// The suppression list on the send path, with the real MailKit transport and a scripted server on loopback:
/// marketing to a suppressed address never reaches a channel, other mail still does, and a permanent refusal at
/// RCPT TO puts the address on the list.
/// </summary>
public sealed class SuppressionSendTests
{
    private const string Mailbox = "hello@paws.test";
    private const string Client = "olivia.hart@clients.example";

    // Gmail's refusal of an address that does not exist, as /work/shared/providers.md quotes it ("no such recipient":
    // "550-5.1.1 The email account that you tried to reach does not exist."), answered at RCPT TO.
    private static readonly SmtpReply NoSuchUser = new(550, "5.1.1 The email account that you tried to reach does not exist.");

    [Fact]
    public async Task Marketing_to_a_suppressed_address_fails_with_its_reason_and_opens_no_connection_nor_goes_native()
    {
        await using var world = await World.StartAsync();
        await world.Host.Suppressions.AddAsync("paws", Client, SuppressionReason.Unsubscribed);

        var outcome = await world.Host.SendAsync("paws", EmailCategory.Marketing, 1, Client);

        outcome.Status.Should().Be(SendStatus.Failed, outcome.ToString());
        outcome.Suppression.Should().Be(SuppressionReason.Unsubscribed);
        outcome.FailureKind.Should().BeNull("nothing was tried, so nothing failed on the wire");
        outcome.Reason.Should().Contain("unsubscribed");
        outcome.MessageId.Should().Be(EndToEndHost.MessageId(1));
        outcome.IsFallback.Should().BeFalse();
        world.Server.ConnectionsOpened.Should().Be(0);
        world.Host.Native.SendAttempts.Should().Be(0, "suppressed marketing never spends the platform's reputation either");
        (await world.Host.Queue.CountAsync(CancellationToken.None)).Should().Be(0, "waiting would not change an unsubscribe");
    }

    [Fact]
    public async Task Marketing_of_a_business_without_smtp_to_a_suppressed_address_is_not_sent_natively()
    {
        await using var world = await World.StartAsync();
        world.Host.Settings.Set(EndToEndHost.Business("paws", smtp: null));
        await world.Host.Suppressions.AddAsync("paws", Client, SuppressionReason.Complained);

        var outcome = await world.Host.SendAsync("paws", EmailCategory.Marketing, 1, Client);

        outcome.Status.Should().Be(SendStatus.Failed);
        outcome.Suppression.Should().Be(SuppressionReason.Complained);
        outcome.Channel.Should().Be(EmailChannel.Native, "the channel routing chose, though nothing was tried on it");
        world.Host.Native.SendAttempts.Should().Be(0);
    }

    [Fact]
    public async Task An_invoice_to_a_suppressed_address_is_sent_over_smtp()
    {
        await using var world = await World.StartAsync();
        await world.Host.Suppressions.AddAsync("paws", Client, SuppressionReason.Unsubscribed);

        var outcome = await world.Host.SendAsync("paws", EmailCategory.Invoice, 1, Client);

        outcome.Status.Should().Be(SendStatus.Sent, outcome.ToString());
        outcome.Channel.Should().Be(EmailChannel.Smtp);
        outcome.Suppression.Should().BeNull();
        world.Server.Messages.Should().ContainSingle().Which.Message.MessageId.Should().Be(EndToEndHost.MessageId(1));
    }

    [Fact]
    public async Task Another_businesss_unsubscribe_does_not_stop_this_businesss_marketing()
    {
        await using var world = await World.StartAsync();
        await world.Host.Suppressions.AddAsync("other-business", Client, SuppressionReason.Unsubscribed);

        var outcome = await world.Host.SendAsync("paws", EmailCategory.Marketing, 1, Client);

        outcome.Status.Should().Be(SendStatus.Sent, outcome.ToString());
    }

    [Fact]
    public async Task Marketing_with_one_suppressed_recipient_among_several_is_sent_to_none()
    {
        await using var world = await World.StartAsync();
        await world.Host.Suppressions.AddAsync("paws", "Sam.Nguyen@Clients.Example", SuppressionReason.HardBounce);
        var message = EndToEndHost.Message(1, EmailCategory.Marketing, Client);
        message.Cc.Add(MailboxAddress.Parse("sam.nguyen@clients.example"));
        message.Bcc.Add(MailboxAddress.Parse("priya.k@clients.example"));

        var outcome = await world.Host.SendAsync(new OutgoingEmail("paws", EmailCategory.Marketing, message));

        outcome.Status.Should().Be(SendStatus.Failed, outcome.ToString());
        outcome.Suppression.Should().Be(SuppressionReason.HardBounce, "addresses are compared without regard to case");
        outcome.Reason.Should().Contain("1 of this email's 3 recipients").And.Contain("one recipient per email");
        world.Server.ConnectionsOpened.Should().Be(0);
    }

    [Fact]
    public async Task A_permanent_refusal_at_rcpt_to_adds_a_hard_bounce_and_the_next_marketing_to_it_is_suppressed()
    {
        await using var world = await World.StartAsync();
        world.RefuseRecipient = Client;

        var general = await world.Host.SendAsync("paws", EmailCategory.General, 1, Client);

        general.Status.Should().Be(SendStatus.Failed, general.ToString());
        general.FailureKind.Should().Be(SmtpFailureKind.RecipientRejected);
        general.SmtpFailure!.EnhancedStatusCode.Should().Be("5.1.1");
        var entry = await world.Host.Suppressions.FindAsync("paws", Client);
        entry.Should().NotBeNull();
        entry!.Reason.Should().Be(SuppressionReason.HardBounce);
        entry.SuppressedAt.Should().Be(world.Host.Time.GetUtcNow());

        var connections = world.Server.ConnectionsOpened;
        var marketing = await world.Host.SendAsync("paws", EmailCategory.Marketing, 2, Client);

        marketing.Status.Should().Be(SendStatus.Failed);
        marketing.Suppression.Should().Be(SuppressionReason.HardBounce);
        world.Server.ConnectionsOpened.Should().Be(connections, "the suppressed marketing email opened no connection");
        world.RcptRefusals.Should().Be(1);
    }

    [Fact]
    public async Task Of_several_recipients_only_the_one_refused_at_rcpt_to_is_added()
    {
        await using var world = await World.StartAsync();
        world.RefuseRecipient = "sam.nguyen@clients.example";
        var message = EndToEndHost.Message(1, EmailCategory.General, Client);
        message.To.Add(MailboxAddress.Parse("sam.nguyen@clients.example"));

        (await world.Host.SendAsync(new OutgoingEmail("paws", EmailCategory.General, message))).FailureKind.Should().Be(SmtpFailureKind.RecipientRejected);

        (await world.Host.Suppressions.ListAsync("paws")).Select(e => e.Address).Should().Equal("sam.nguyen@clients.example");
    }

    [Fact]
    public async Task A_client_mailbox_receiving_too_fast_is_not_a_hard_bounce_and_is_not_called_a_dead_address()
    {
        await using var world = await World.StartAsync();
        world.RefuseRecipient = Client;

        // Gmail's reply under 5.2.1, the code of its disabled accounts too (https://support.google.com/a/answer/3726730).
        world.Refusal = new SmtpReply(550, "5.2.1 The user you are trying to contact is receiving mail at a rate that prevents additional messages from being delivered.");
        var outcome = await world.Host.SendAsync("paws", EmailCategory.General, 1, Client);

        outcome.FailureKind.Should().Be(SmtpFailureKind.RecipientRejected);
        outcome.SmtpFailure!.Advice.Should().Contain("again").And.NotContain("does not exist");
        (await world.Host.Suppressions.ListAsync("paws")).Should().BeEmpty("the address is good; it is only busy");
    }

    [Fact]
    public async Task A_full_mailbox_at_rcpt_to_is_not_a_hard_bounce()
    {
        await using var world = await World.StartAsync();
        world.RefuseRecipient = Client;

        // RFC 3463's X.2.2 "mailbox full" (providers.md, RFC 3463 paragraph): the address exists; it may take mail tomorrow.
        world.Refusal = new SmtpReply(552, "5.2.2 Mailbox full");
        await world.Host.SendAsync("paws", EmailCategory.General, 1, Client);

        (await world.Host.Suppressions.ListAsync("paws")).Should().BeEmpty();
    }

    [Fact]
    public async Task A_deferred_marketing_email_whose_client_unsubscribed_meanwhile_ends_suppressed_once_and_leaves_the_queue()
    {
        await using var world = await World.StartAsync();
        world.DailyLimitReached = true;
        var deferred = await world.Host.SendAsync("paws", EmailCategory.Marketing, 1, Client);
        deferred.Status.Should().Be(SendStatus.Deferred, deferred.ToString());

        await world.Host.Suppressions.AddAsync("paws", Client, SuppressionReason.Unsubscribed);
        world.DailyLimitReached = false;
        world.Host.Time.Advance(TimeSpan.FromHours(25));
        (await world.Host.DispatchDueAsync()).Should().Be(1);

        world.Host.Outcomes.Outcomes.Should().ContainSingle().Which.Suppression.Should().Be(SuppressionReason.Unsubscribed);
        (await world.Host.Queue.CountAsync(CancellationToken.None)).Should().Be(0);
        world.Server.Messages.Should().BeEmpty();
    }

    [Fact]
    public async Task Every_message_of_a_mix_with_suppressed_addresses_ends_in_exactly_one_outcome()
    {
        await using var world = await World.StartAsync();
        string[] clients = ["a@clients.example", "b@clients.example", "c@clients.example", "d@clients.example"];
        await world.Host.Suppressions.AddAsync("paws", clients[0], SuppressionReason.Unsubscribed);
        await world.Host.Suppressions.AddAsync("paws", clients[1], SuppressionReason.Complained);
        world.RefuseRecipient = clients[2];
        EmailCategory[] categories = [EmailCategory.Marketing, EmailCategory.Invoice, EmailCategory.General, EmailCategory.Quote];

        var outcomes = new List<SendOutcome>();
        var number = 0;
        for (var round = 0; round < 2; round++)
        {
            foreach (var client in clients)
            {
                foreach (var category in categories)
                {
                    outcomes.Add(await world.Host.SendAsync("paws", category, ++number, client));
                }
            }
        }

        outcomes.Select(o => o.MessageId).Should().OnlyHaveUniqueItems().And.HaveCount(number);
        var sent = outcomes.Where(o => o.IsSent).ToList();
        var suppressed = outcomes.Where(o => o.Suppression is not null).ToList();
        var refused = outcomes.Where(o => o.FailureKind == SmtpFailureKind.RecipientRejected).ToList();
        (sent.Count + suppressed.Count + refused.Count).Should().Be(number, "each message is sent, suppressed or refused, and only one of these");
        suppressed.Should().OnlyContain(o => o.Category == EmailCategory.Marketing && o.Status == SendStatus.Failed);

        // Marketing to a, b (both rounds) and to c once it bounced (the second round) is suppressed; d's is sent.
        suppressed.Should().HaveCount(5);
        refused.Should().HaveCount(7, "c's first marketing email and its six other emails are refused at RCPT TO");
        world.Server.Messages.Select(m => m.Message.MessageId).Should().BeEquivalentTo(sent.Select(o => o.MessageId));
        world.Host.Native.SendAttempts.Should().Be(0);
    }

    [Fact]
    public async Task Marketing_waits_unsent_when_the_suppression_list_cannot_be_read_and_is_checked_again_when_sent_later()
    {
        var list = new FlakyList(new InMemorySuppressionList(TimeProvider.System)) { Down = true };
        var server = await ScriptedSmtpServer.StartAsync(new());
        await using var _ = server;
        await using var host = new EndToEndHost(builder => builder.Services.AddSingleton<ISuppressionList>(list));
        host.Settings.Set(EndToEndHost.Business("paws", server.CreateAccountSettings(Mailbox, Mailbox, TestSecrets.AppPassword)));

        var marketing = await host.SendAsync("paws", EmailCategory.Marketing, 1, Client);
        var toOther = await host.SendAsync("paws", EmailCategory.Marketing, 2, "sam.nguyen@clients.example");
        var invoice = await host.SendAsync("paws", EmailCategory.Invoice, 3, Client);

        marketing.Status.Should().Be(SendStatus.Deferred, marketing.ToString());
        marketing.Suppression.Should().BeNull("the address is not known to be suppressed");
        marketing.DeferredUntil.Should().Be(host.Time.GetUtcNow() + SuppressionGate.UnreadableRetryDelay);
        marketing.Reason.Should().Contain("could not be checked");
        invoice.Status.Should().Be(SendStatus.Sent, "direct mail does not ask the list");
        server.Messages.Should().ContainSingle().Which.Message.MessageId.Should().Be(EndToEndHost.MessageId(3));
        host.Health.GetHealth("paws").IsHealthy.Should().BeTrue("the list's store is not the owner's account");

        // The list answers again, and meanwhile the first client unsubscribed: each waiting email ends in its one outcome.
        list.Down = false;
        await list.AddAsync("paws", Client, SuppressionReason.Unsubscribed);
        host.Time.Advance(SuppressionGate.UnreadableRetryDelay);
        (await host.DispatchDueAsync()).Should().Be(2);

        host.Outcomes.Outcomes.Should().HaveCount(2);
        host.Outcomes.Outcomes.Single(o => o.MessageId == EndToEndHost.MessageId(1)).Suppression.Should().Be(SuppressionReason.Unsubscribed);
        host.Outcomes.Outcomes.Single(o => o.MessageId == EndToEndHost.MessageId(2)).IsSent.Should().BeTrue();
        (await host.Queue.CountAsync(CancellationToken.None)).Should().Be(0);
        server.Messages.Select(m => m.Message.MessageId).Should().Equal(EndToEndHost.MessageId(3), EndToEndHost.MessageId(2));
        toOther.Status.Should().Be(SendStatus.Deferred);
    }

    /// <summary>A shared list whose store can be down: then every call times out.</summary>
    private sealed class FlakyList(ISuppressionList inner) : ISuppressionList
    {
        public volatile bool Down;

        public ValueTask<bool> AddAsync(string businessId, string address, SuppressionReason reason, CancellationToken cancellationToken = default) =>
            Down ? throw new TimeoutException("store timed out") : inner.AddAsync(businessId, address, reason, cancellationToken);

        public ValueTask<bool> RemoveAsync(string businessId, string address, CancellationToken cancellationToken = default) =>
            Down ? throw new TimeoutException("store timed out") : inner.RemoveAsync(businessId, address, cancellationToken);

        public ValueTask<SuppressionEntry?> FindAsync(string businessId, string address, CancellationToken cancellationToken = default) =>
            Down ? throw new TimeoutException("store timed out") : inner.FindAsync(businessId, address, cancellationToken);

        public ValueTask<IReadOnlyList<SuppressionEntry>> ListAsync(string businessId, CancellationToken cancellationToken = default) =>
            Down ? throw new TimeoutException("store timed out") : inner.ListAsync(businessId, cancellationToken);
    }

    /// <summary>One business on a scripted server that can refuse one recipient at RCPT TO, or report Gmail's daily limit.</summary>
    private sealed class World : IAsyncDisposable
    {
        private int _rcptRefusals;

        private World(ScriptedSmtpServer server, EndToEndHost host)
        {
            Server = server;
            Host = host;
            server.Script = context =>
            {
                if (context.Stage == SmtpStage.MailFrom && DailyLimitReached)
                {
                    return ProviderReplies.Gmail.DailyLimitExceeded;
                }

                if (context.Stage == SmtpStage.RcptTo && string.Equals(context.Address, RefuseRecipient, StringComparison.OrdinalIgnoreCase))
                {
                    Interlocked.Increment(ref _rcptRefusals);
                    return Refusal;
                }

                return null;
            };
            Host.Settings.Set(EndToEndHost.Business("paws", server.CreateAccountSettings(Mailbox, Mailbox, TestSecrets.AppPassword)));
        }

        public ScriptedSmtpServer Server { get; }

        public EndToEndHost Host { get; }

        public volatile string? RefuseRecipient;

        public volatile SmtpReply Refusal = NoSuchUser;

        public volatile bool DailyLimitReached;

        public int RcptRefusals => Volatile.Read(ref _rcptRefusals);

        public static async Task<World> StartAsync(Action<IPetSitterEmailBuilder>? configure = null) =>
            new(await ScriptedSmtpServer.StartAsync(new()), new EndToEndHost(configure));

        public async ValueTask DisposeAsync()
        {
            await Host.DisposeAsync();
            await Server.DisposeAsync();
        }
    }
}
