using PetSitter.Email.Testing;

using PetSitter.Email.Tests.Support;

namespace PetSitter.Email.Tests.EndToEnd;

public sealed class DeliveryTests
{
    private const string Mailbox = "hello@paws.test";

    private int _failuresLeft = 1;

    public static TheoryData<SmtpStage, int, string> TransientReplies => new()
    {
        { SmtpStage.MailFrom, 421, "4.3.0 Temporary System Problem. Try again later" },
        { SmtpStage.AfterData, 451, "4.3.0 Mail server temporarily rejected message." },
    };

    [Theory]
    [MemberData(nameof(TransientReplies))]
    public async Task Transient_failures_are_retried_and_then_succeed(SmtpStage stage, int code, string text)
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new());
        var reply = new SmtpReply(code, text);
        server.Script = context => context.Stage == stage && Interlocked.Decrement(ref _failuresLeft) >= 0 ? reply : null;
        await using var host = new EndToEndHost();
        host.Settings.Set(EndToEndHost.Business("paws", server.CreateAccountSettings(Mailbox, Mailbox, "app-password")));

        var outcome = await host.SendAsync("paws", EmailCategory.Invoice, 1);

        outcome.Status.Should().Be(SendStatus.Sent);
        outcome.Channel.Should().Be(EmailChannel.Smtp);
        outcome.IsFallback.Should().BeFalse();
        outcome.FailureKind.Should().BeNull();
        _failuresLeft.Should().BeNegative("the server's transient refusal was met once");
        server.Messages.Should().ContainSingle().Which.Message.MessageId.Should().Be(EndToEndHost.MessageId(1));
        host.Native.SendAttempts.Should().Be(0);
        host.Health.GetHealth("paws").IsHealthy.Should().BeTrue();
    }

    [Fact]
    public async Task The_business_identity_goes_out_on_the_librarys_copy_and_the_callers_message_is_unchanged()
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new());
        await using var host = new EndToEndHost();
        host.Settings.Set(EndToEndHost.Business("paws", server.CreateAccountSettings(Mailbox, Mailbox, "app-password")));
        var message = EndToEndHost.Message(1, EmailCategory.Invoice);
        var email = new OutgoingEmail("paws", EmailCategory.Invoice, message);
        var before = MessageBytes.Of(message);

        var outcome = await host.SendAsync(email);
        var again = await host.SendAsync(new OutgoingEmail("paws", EmailCategory.Invoice, message));

        outcome.Status.Should().Be(SendStatus.Sent);
        again.Status.Should().Be(SendStatus.Sent);
        server.Messages.Should().HaveCount(2);
        foreach (var received in server.Messages)
        {
            received.Message.From.Mailboxes.Should().ContainSingle().Which.Address.Should().Be(Mailbox);
            received.Message.ReplyTo.Mailboxes.Should().ContainSingle().Which.Address.Should().Be("office@paws.example");
            received.Message.MimeVersion.Should().NotBeNull();
        }

        MessageBytes.Of(message).Should().Equal(before, "the caller's message is never changed once the outgoing email holds it");
    }

    [Fact]
    public async Task Delivery_uncertain_is_never_resent_and_never_falls_back()
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new());

        // The server keeps each message, then drops the connection before it confirms: every resend would show.
        server.Script = context => context.Stage == SmtpStage.AfterData ? SmtpReply.Disconnect : null;
        await using var host = new EndToEndHost();
        host.Settings.Set(EndToEndHost.Business("paws", server.CreateAccountSettings(Mailbox, Mailbox, "app-password")));

        var invoice = await host.SendAsync("paws", EmailCategory.Invoice, 1);
        var marketing = await host.SendAsync("paws", EmailCategory.Marketing, 2);

        foreach (var outcome in new[] { invoice, marketing })
        {
            outcome.Status.Should().Be(SendStatus.DeliveryUncertain);
            outcome.Channel.Should().Be(EmailChannel.Smtp);
            outcome.IsFallback.Should().BeFalse();
            outcome.FailureKind.Should().Be(SmtpFailureKind.Transient);
            outcome.Reason.Should().Contain("not sent again");
        }

        server.Messages.Select(m => m.Message.MessageId).Should().Equal(EndToEndHost.MessageId(1), EndToEndHost.MessageId(2));
        host.Native.SendAttempts.Should().Be(0, "a message the server may have is never sent on another channel");
        (await host.Queue.CountAsync(CancellationToken.None)).Should().Be(0, "nor held to be sent again later");
        host.Health.GetHealth("paws").IsHealthy.Should().BeTrue("an unanswered message says nothing about the account");
    }

}
