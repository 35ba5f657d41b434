using MimeKit;
using PetSitter.Email.Tests.EndToEnd;

namespace PetSitter.Email.Tests.Input;

/// <summary>Invalid, international, empty and missing parts of a message, through IEmailSender against the in-process server.</summary>
public sealed class AddressAndContentTests
{
    private const string International = "josé@exämple.com";

    [Theory]
    [InlineData("To", "")]
    [InlineData("To", "not-an-address")]
    [InlineData("Cc", "client")]
    [InlineData("Bcc", "")]
    [InlineData("Reply-To", "office")]
    public async Task An_unusable_address_is_refused_naming_the_header_and_the_fix(string header, string address)
    {
        await using var world = await InputServer.StartAsync();
        var message = EndToEndHost.Message(1, EmailCategory.Invoice);
        var mailbox = new MailboxAddress("Client", address);
        _ = header switch
        {
            "To" => Add(message.To, mailbox),
            "Cc" => Add(message.Cc, mailbox),
            "Bcc" => Add(message.Bcc, mailbox),
            _ => Add(message.ReplyTo, mailbox),
        };

        var act = () => world.Host.SendAsync(new OutgoingEmail("paws", EmailCategory.Invoice, message));

        (await act.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain($"{header} address").And.Contain("correct or remove it");
        world.Server.ConnectionsOpened.Should().Be(0, "nothing is sent for a message that cannot be addressed");
    }

    [Fact]
    public async Task An_international_address_is_sent_as_utf8_when_the_server_offers_smtputf8()
    {
        await using var world = await InputServer.StartAsync();

        var outcome = await world.Host.SendAsync("paws", EmailCategory.Invoice, 1, to: International);

        outcome.IsSent.Should().BeTrue(outcome.ToString());
        var received = world.Server.Messages.Single();
        received.Message.To.Mailboxes.Single().Address.Should().Be(International, "the header carries the address as UTF-8");

        // The envelope went out as UTF-8 too; the test server's own parser garbles the domain's non-ASCII
        // letters, so only the local part (which it keeps) is compared.
        received.Recipients.Single().Should().StartWith("josé@");
    }

    [Theory]
    [InlineData(EmailCategory.Invoice)]
    [InlineData(EmailCategory.Marketing)]
    public async Task An_international_mailbox_name_without_smtputf8_is_refused_before_sending_naming_the_address(EmailCategory category)
    {
        // MailKit does not stop a non-ASCII mailbox name when SMTPUTF8 is not offered: it would send the name
        // as it is, for a strict server to refuse and a lax one to mangle. The library refuses it first.
        await using var world = await InputServer.StartAsync(["8BITMIME", "ENHANCEDSTATUSCODES"]);
        var chain = world.Server.Script!;
        var mailFrom = 0;
        world.Server.Script = context =>
        {
            if (context.Stage == SmtpStage.MailFrom)
            {
                Interlocked.Increment(ref mailFrom);
            }

            return chain(context);
        };

        var outcome = await world.Host.SendAsync("paws", category, 1, to: International);

        outcome.Status.Should().Be(SendStatus.Failed, outcome.ToString());
        outcome.FailureKind.Should().Be(SmtpFailureKind.MessageRejected);
        outcome.Reason.Should().Contain(International, "the advice names the address").And.Contain("international characters");
        outcome.IsFallback.Should().BeFalse("the native channel is no answer to an address the owner must correct");
        Volatile.Read(ref mailFrom).Should().Be(0, "nothing of the message reached the server");
        world.Server.Messages.Should().BeEmpty();
        world.Host.Native.SendAttempts.Should().Be(0);
        (await world.Host.Queue.CountAsync(CancellationToken.None)).Should().Be(0, "waiting does not change the server's extensions");
        world.Host.Health.GetHealth("paws").IsHealthy.Should().BeTrue("the account is not to blame");

        // Not retried, and the connection it was found on carries the next message.
        world.Server.ConnectionsOpened.Should().Be(1);
        (await world.Host.SendAsync("paws", category, 2)).Channel.Should().Be(EmailChannel.Smtp);
        world.Server.ConnectionsOpened.Should().Be(1);
    }

    [Fact]
    public async Task An_international_domain_alone_goes_out_in_its_ascii_form_without_smtputf8()
    {
        await using var world = await InputServer.StartAsync(["8BITMIME", "ENHANCEDSTATUSCODES"]);

        var outcome = await world.Host.SendAsync("paws", EmailCategory.Invoice, 1, to: "client@exämple.com");

        outcome.IsSent.Should().BeTrue(outcome.ToString());
        world.Server.Messages.Single().Recipients.Should().Equal("client@xn--exmple-cua.com");
    }

    [Fact]
    public async Task An_empty_from_is_replaced_by_the_accounts_address()
    {
        await using var world = await InputServer.StartAsync();
        var message = EndToEndHost.Message(1, EmailCategory.Invoice);
        message.From.Clear();

        var outcome = await world.Host.SendAsync(new OutgoingEmail("paws", EmailCategory.Invoice, message));

        outcome.IsSent.Should().BeTrue();
        var received = world.Server.Messages.Single();
        received.Sender.Should().Be("hello@paws.example");
        received.Message.From.Mailboxes.Single().Address.Should().Be("hello@paws.example");
    }

    [Fact]
    public async Task A_message_without_a_body_or_subject_is_sent_as_it_is()
    {
        await using var world = await InputServer.StartAsync();
        var message = EndToEndHost.Message(1, EmailCategory.Invoice);
        message.Body = null;
        message.Headers.Remove(HeaderId.Subject);

        var outcome = await world.Host.SendAsync(new OutgoingEmail("paws", EmailCategory.Invoice, message));

        outcome.IsSent.Should().BeTrue(outcome.ToString());
        world.Server.Messages.Single().Message.TextBody.Should().BeNullOrEmpty();
    }

    [Fact]
    public async Task A_null_email_is_an_argument_null_exception()
    {
        await using var world = await InputServer.StartAsync();

        await FluentActions.Awaiting(() => world.Host.Sender.SendAsync(null!)).Should().ThrowAsync<ArgumentNullException>().WithParameterName("email");
    }

    private static int Add(InternetAddressList list, MailboxAddress mailbox)
    {
        list.Add(mailbox);
        return list.Count;
    }
}
