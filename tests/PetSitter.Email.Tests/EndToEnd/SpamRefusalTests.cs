using System.Collections.Concurrent;
using PetSitter.Email.Testing;
using PetSitter.Email.Tests.Secrets;

namespace PetSitter.Email.Tests.EndToEnd;

/// <summary>
/// The owner's own provider refuses a message as spam after its DATA: one document or notification goes
/// natively, marketing fails, and three refusals within an hour pause marketing (only) on the account.
/// </summary>
public sealed class SpamRefusalTests
{
    private const string Mailbox = "hello@paws.test";

    // Gmail's refusal of content it judges unsolicited, as the project's provider notes quote it
    // (shared/providers.md, "spam": "550-5.7.1 ... Our system has detected that this message is likely
    // unsolicited mail."; the elided part is left out), sent after the end of DATA.
    private static readonly SmtpReply LikelyUnsolicited = new(550, "5.7.1 Our system has detected that this message is likely unsolicited mail.");

    public static TheoryData<EmailCategory> NotMarketing => new()
    {
        EmailCategory.Quote, EmailCategory.Invoice, EmailCategory.AccountSummary, EmailCategory.SystemNotification, EmailCategory.General,
    };

    [Theory]
    [MemberData(nameof(NotMarketing))]
    public async Task A_document_or_notification_refused_as_spam_goes_native_once_with_the_failure_kept(EmailCategory category)
    {
        await using var world = await SpamWorld.StartAsync();
        world.RefuseAsSpam = true;

        var outcome = await world.Host.SendAsync("paws", category, 1);

        outcome.Status.Should().Be(SendStatus.Sent, outcome.ToString());
        outcome.Channel.Should().Be(EmailChannel.Native);
        outcome.IsFallback.Should().BeTrue();
        outcome.FailureKind.Should().Be(SmtpFailureKind.RejectedAsSpam, "the owner is told why SMTP did not carry it");
        outcome.SmtpFailure!.Reply.Should().Contain("likely unsolicited mail");
        world.Host.Native.Messages.Should().ContainSingle("it goes natively once").Which.MessageId.Should().Be(EndToEndHost.MessageId(1));
        world.DataRefusals.Should().Be(1, "a spam verdict is not retried over SMTP");
        world.Server.Messages.Should().BeEmpty();
        world.Host.Health.GetHealth("paws").IsHealthy.Should().BeTrue("one refusal is about the message, not the account");
    }

    [Fact]
    public async Task Marketing_refused_as_spam_fails_and_never_goes_native_nor_waits()
    {
        await using var world = await SpamWorld.StartAsync();
        world.RefuseAsSpam = true;

        var outcome = await world.Host.SendAsync("paws", EmailCategory.Marketing, 1);

        outcome.Status.Should().Be(SendStatus.Failed, outcome.ToString());
        outcome.FailureKind.Should().Be(SmtpFailureKind.RejectedAsSpam);
        outcome.IsFallback.Should().BeFalse();
        world.Host.Native.SendAttempts.Should().Be(0, "marketing never spends the platform's reputation");
        (await world.Host.Queue.CountAsync(CancellationToken.None)).Should().Be(0, "waiting does not change a spam verdict");
        world.DataRefusals.Should().Be(1);
    }

    [Fact]
    public async Task Three_spam_refusals_within_an_hour_pause_marketing_only_and_tell_the_owner_once()
    {
        await using var world = await SpamWorld.StartAsync();
        var changes = new ConcurrentQueue<AccountHealthChangedEventArgs>();
        world.Host.Health.HealthChanged += (_, change) => changes.Enqueue(change);
        world.RefuseAsSpam = true;

        // Three refusals 20 minutes apart: the third is still within an hour of the first.
        (await world.Host.SendAsync("paws", EmailCategory.Marketing, 1)).Status.Should().Be(SendStatus.Failed);
        world.Host.Time.Advance(TimeSpan.FromMinutes(20));
        (await world.Host.SendAsync("paws", EmailCategory.Invoice, 2)).Channel.Should().Be(EmailChannel.Native);
        world.Host.Time.Advance(TimeSpan.FromMinutes(20));
        changes.Should().BeEmpty("two refusals are two messages, not yet the account");
        var third = await world.Host.SendAsync("paws", EmailCategory.Marketing, 3);

        third.Status.Should().Be(SendStatus.Failed, "the third refusal is still about its own message");
        var health = world.Host.Health.GetHealth("paws");
        health.State.Should().Be(AccountHealthState.Failing);
        health.Kind.Should().Be(SmtpFailureKind.RejectedAsSpam);
        health.Advice.Should().Contain("marking your emails as spam").And.Contain("SPF, DKIM and DMARC").And.Contain("safe sender").And.Contain("help centre");
        health.Until.Should().Be(world.Host.Time.GetUtcNow() + TimeSpan.FromDays(1));
        changes.Should().ContainSingle().Which.Kind.Should().Be(SmtpFailureKind.RejectedAsSpam);

        // The provider accepts mail again; the account is still paused for marketing, and only for marketing.
        world.RefuseAsSpam = false;
        var mailFromBefore = world.MailFromCommands;
        var marketing = await world.Host.SendAsync("paws", EmailCategory.Marketing, 4);
        var invoice = await world.Host.SendAsync("paws", EmailCategory.Invoice, 5);
        var general = await world.Host.SendAsync("paws", EmailCategory.General, 6);

        marketing.Status.Should().Be(SendStatus.Deferred, marketing.ToString());
        marketing.FailureKind.Should().Be(SmtpFailureKind.RejectedAsSpam);
        marketing.DeferredUntil.Should().Be(health.Until);
        invoice.Channel.Should().Be(EmailChannel.Smtp, "documents keep going over SMTP during the pause");
        invoice.IsFallback.Should().BeFalse();
        general.Channel.Should().Be(EmailChannel.Smtp, "direct mail other than marketing keeps going over SMTP");
        world.MailFromCommands.Should().Be(mailFromBefore + 2, "the paused marketing email was not offered to the server");
        world.Server.Messages.Select(m => m.Message.MessageId).Should().Equal(EndToEndHost.MessageId(5), EndToEndHost.MessageId(6));
        changes.Should().ContainSingle("the signal is raised once, however much mail flows meanwhile");

        // A day later, with nothing changed, marketing goes over SMTP again.
        world.Host.Time.Advance(TimeSpan.FromDays(1));
        world.Host.Health.GetHealth("paws").IsHealthy.Should().BeTrue();
        (await world.Host.DispatchDueAsync()).Should().Be(1);
        world.Server.Messages.Select(m => m.Message.MessageId).Should().Contain(EndToEndHost.MessageId(4));
        changes.Last().State.Should().Be(AccountHealthState.Healthy);
    }

    [Fact]
    public async Task Changing_the_settings_ends_the_marketing_pause_at_once()
    {
        await using var world = await SpamWorld.StartAsync();
        world.RefuseAsSpam = true;
        for (var n = 1; n <= 3; n++)
        {
            await world.Host.SendAsync("paws", EmailCategory.Marketing, n);
        }

        world.Host.Health.GetHealth("paws").Kind.Should().Be(SmtpFailureKind.RejectedAsSpam);
        world.RefuseAsSpam = false;

        // The owner acts on the advice (here: a new app password after reviewing the account).
        world.Host.Settings.Set(EndToEndHost.Business("paws", world.Server.CreateAccountSettings(Mailbox, Mailbox, TestSecrets.NewAppPassword)));
        var marketing = await world.Host.SendAsync("paws", EmailCategory.Marketing, 4);

        marketing.Status.Should().Be(SendStatus.Sent, marketing.ToString());
        marketing.Channel.Should().Be(EmailChannel.Smtp);
        world.Host.Health.GetHealth("paws").IsHealthy.Should().BeTrue();
    }

    [Fact]
    public async Task Spam_refusals_more_than_an_hour_apart_are_not_an_account_signal()
    {
        await using var world = await SpamWorld.StartAsync();
        world.RefuseAsSpam = true;

        await world.Host.SendAsync("paws", EmailCategory.Marketing, 1);
        world.Host.Time.Advance(TimeSpan.FromMinutes(40));
        await world.Host.SendAsync("paws", EmailCategory.Marketing, 2);
        world.Host.Time.Advance(TimeSpan.FromMinutes(21));
        await world.Host.SendAsync("paws", EmailCategory.Marketing, 3);

        world.Host.Health.GetHealth("paws").IsHealthy.Should().BeTrue("only two refusals fall within any hour");
        world.RefuseAsSpam = false;
        (await world.Host.SendAsync("paws", EmailCategory.Marketing, 4)).Channel.Should().Be(EmailChannel.Smtp);
    }

    /// <summary>A server that refuses the message after DATA as spam while <see cref="RefuseAsSpam"/> is set.</summary>
    private sealed class SpamWorld : IAsyncDisposable
    {
        private int _dataRefusals;
        private int _mailFrom;
        private volatile bool _refuse;

        private SpamWorld(ScriptedSmtpServer server)
        {
            Server = server;
            server.Script = context =>
            {
                if (context.Stage == SmtpStage.MailFrom)
                {
                    Interlocked.Increment(ref _mailFrom);
                }

                if (context.Stage == SmtpStage.AfterData && _refuse)
                {
                    Interlocked.Increment(ref _dataRefusals);
                    return LikelyUnsolicited;
                }

                return null;
            };
            Host.Settings.Set(EndToEndHost.Business("paws", server.CreateAccountSettings(Mailbox, Mailbox, TestSecrets.AppPassword)));
        }

        public ScriptedSmtpServer Server { get; }

        public EndToEndHost Host { get; } = new();

        public bool RefuseAsSpam
        {
            get => _refuse;
            set => _refuse = value;
        }

        public int DataRefusals => Volatile.Read(ref _dataRefusals);

        public int MailFromCommands => Volatile.Read(ref _mailFrom);

        public static async Task<SpamWorld> StartAsync() => new(await ScriptedSmtpServer.StartAsync(new()));

        public async ValueTask DisposeAsync()
        {
            await Host.DisposeAsync();
            await Server.DisposeAsync();
        }
    }
}
