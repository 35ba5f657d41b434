using PetSitter.Email.Testing;
using PetSitter.Email.Tests.EndToEnd;

namespace PetSitter.Email.Tests.Faults;

/// <summary>
/// The server drops the connection without a word at each stage of the conversation. Before the end of
/// DATA nothing can have been delivered: the send is retried, and when every attempt is dropped the
/// category's fallback applies. After it the message may have arrived: it is reported uncertain and never
/// sent again, on any channel.
/// </summary>
public sealed class StageDropTests
{
    private const string Mailbox = "hello@paws.test";

    public static TheoryData<SmtpStage> StagesBeforeDelivery => new()
    {
        SmtpStage.Greeting,
        SmtpStage.Ehlo,
        SmtpStage.Tls,
        SmtpStage.Authenticate,
        SmtpStage.MailFrom,
        SmtpStage.RcptTo,
        SmtpStage.Data,
    };

    [Theory]
    [MemberData(nameof(StagesBeforeDelivery))]
    public async Task A_connection_dropped_once_before_the_end_of_data_is_retried_and_delivered_once(SmtpStage stage)
    {
        await using var server = await StartServerAsync();
        var drops = new StageCounter(stage);
        server.Script = context => drops.Hit(context) == 1 ? SmtpReply.Disconnect : null;
        await using var host = NewHost(server);

        var outcome = await host.SendAsync("paws", EmailCategory.Invoice, 1);

        outcome.Status.Should().Be(SendStatus.Sent, outcome.ToString());
        outcome.Channel.Should().Be(EmailChannel.Smtp);
        outcome.IsFallback.Should().BeFalse();
        outcome.MessageId.Should().Be(EndToEndHost.MessageId(1));
        drops.Count.Should().Be(1 + HitsPerConnection(stage), "the dropped attempt reached the stage, then the retry that went through");
        server.Messages.Select(m => m.Message.MessageId).Should().Equal(EndToEndHost.MessageId(1));
        host.Native.SendAttempts.Should().Be(0);
        host.Health.GetHealth("paws").IsHealthy.Should().BeTrue("a dropped connection says nothing about the account");
    }

    [Theory]
    [MemberData(nameof(StagesBeforeDelivery))]
    public async Task A_connection_dropped_at_every_attempt_before_the_end_of_data_falls_back_as_transient(SmtpStage stage)
    {
        await using var server = await StartServerAsync();
        var drops = new StageCounter(stage);
        server.Script = context => drops.Hit(context) > 0 ? SmtpReply.Disconnect : null;
        await using var host = NewHost(server);
        var attempts = 1 + host.Options<PetSitterEmailOptions>().Retry.MaxRetryAttempts;

        var invoice = await host.SendAsync("paws", EmailCategory.Invoice, 1);
        var afterInvoice = drops.Count;
        var marketing = await host.SendAsync("paws", EmailCategory.Marketing, 2);

        afterInvoice.Should().Be(attempts, "each attempt met the drop once, and no more attempts were made");
        drops.Count.Should().Be(2 * attempts);
        invoice.Status.Should().Be(SendStatus.Sent, invoice.ToString());
        invoice.Channel.Should().Be(EmailChannel.Native);
        invoice.IsFallback.Should().BeTrue();
        invoice.FailureKind.Should().Be(SmtpFailureKind.Transient);
        invoice.SmtpFailure!.Stage.Should().Be(ExpectedStage(stage));
        marketing.Status.Should().Be(SendStatus.Deferred, marketing.ToString());
        marketing.FailureKind.Should().Be(SmtpFailureKind.Transient);
        server.Messages.Should().BeEmpty();
        host.Native.Messages.Select(m => m.MessageId).Should().Equal(EndToEndHost.MessageId(1));
        (await host.Queue.CountAsync(CancellationToken.None)).Should().Be(1);
        host.Health.GetHealth("paws").IsHealthy.Should().BeTrue();
    }

    [Theory]
    [InlineData(EmailCategory.Invoice)]
    [InlineData(EmailCategory.Marketing)]
    public async Task A_connection_dropped_after_the_end_of_data_is_uncertain_and_never_sent_again(EmailCategory category)
    {
        await using var server = await StartServerAsync();
        var drops = new StageCounter(SmtpStage.AfterData);
        server.Script = context => drops.Hit(context) == 1 ? SmtpReply.Disconnect : null;
        await using var host = NewHost(server);

        var outcome = await host.SendAsync("paws", category, 1);
        var next = await host.SendAsync("paws", category, 2);

        outcome.Status.Should().Be(SendStatus.DeliveryUncertain, outcome.ToString());
        outcome.Channel.Should().Be(EmailChannel.Smtp);
        outcome.IsFallback.Should().BeFalse();
        outcome.FailureKind.Should().Be(SmtpFailureKind.Transient);
        outcome.SmtpFailure!.Stage.Should().Be(SmtpStage.AfterData);
        outcome.MessageId.Should().Be(EndToEndHost.MessageId(1), "the uncertain message is reported under the Message-ID the server holds");
        next.Status.Should().Be(SendStatus.Sent, "the next message is not held up by the lost connection");
        next.Channel.Should().Be(EmailChannel.Smtp);
        drops.Count.Should().Be(2, "the uncertain message reached the end of DATA once: it was not retried");
        server.Messages.Select(m => m.Message.MessageId).Should().Equal(EndToEndHost.MessageId(1), EndToEndHost.MessageId(2));
        host.Native.SendAttempts.Should().Be(0);
        (await host.Queue.CountAsync(CancellationToken.None)).Should().Be(0);
        host.Health.GetHealth("paws").IsHealthy.Should().BeTrue();
    }

    internal static Task<ScriptedSmtpServer> StartServerAsync() =>
        ScriptedSmtpServer.StartAsync(new() { Security = ScriptedServerSecurity.StartTls, UserName = Mailbox, Password = "app-password" });

    internal static EndToEndHost NewHost(ScriptedSmtpServer server, Action<IPetSitterEmailBuilder>? configure = null)
    {
        var host = new EndToEndHost(configure);
        host.Settings.Set(EndToEndHost.Business("paws", server.CreateAccountSettings(Mailbox)));
        return host;
    }

    /// <summary>A STARTTLS connection says EHLO twice: before the handshake and again after it.</summary>
    private static int HitsPerConnection(SmtpStage stage) => stage == SmtpStage.Ehlo ? 2 : 1;

    /// <summary>
    /// A drop at STARTTLS is read back as a failure at EHLO: MailKit gives no hook between its STARTTLS
    /// command and the handshake, and the stage tracker counts STARTTLS with EHLO.
    /// </summary>
    private static SmtpStage ExpectedStage(SmtpStage dropped) => dropped == SmtpStage.Tls ? SmtpStage.Ehlo : dropped;
}
