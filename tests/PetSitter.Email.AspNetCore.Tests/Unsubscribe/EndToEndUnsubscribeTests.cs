using System.Net;
using MimeKit;
using PetSitter.Email.Testing;

namespace PetSitter.Email.AspNetCore.Tests.Unsubscribe;

/// <summary>
/// The whole loop: the library sends marketing over SMTP (a scripted server on loopback) with the endpoint's link in
/// List-Unsubscribe; the client's provider POSTs to that link over HTTP; the next marketing email to the client is
/// not sent, while an invoice still is.
/// </summary>
public sealed class EndToEndUnsubscribeTests
{
    private const string Client = "olivia.hart@clients.example";

    [Fact]
    public async Task The_link_in_a_sent_marketing_email_unsubscribes_and_the_next_marketing_email_is_not_sent()
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new());
        await using var app = await UnsubscribeApp.StartAsync(smtp: server.CreateAccountSettings("hello@paws.test", "hello@paws.test", "app-password-for-tests"));

        var first = await app.Sender.SendAsync(new OutgoingEmail("paws", EmailCategory.Marketing, Message("Christmas visits")));
        first.IsSent.Should().BeTrue(first.ToString());
        var headers = server.Messages.Should().ContainSingle().Which.Message.Headers;
        headers["List-Unsubscribe-Post"].Should().Be("List-Unsubscribe=One-Click");
        var link = new Uri(headers["List-Unsubscribe"]!.Trim().TrimStart('<').TrimEnd('>'));
        link.GetLeftPart(UriPartial.Path).Should().Be(UnsubscribeApp.PublicEndpoint.AbsoluteUri);

        using var response = await app.PostOneClickAsync(link);
        response.StatusCode.Should().Be(HttpStatusCode.OK);

        var connections = server.ConnectionsOpened;
        var second = await app.Sender.SendAsync(new OutgoingEmail("paws", EmailCategory.Marketing, Message("New year offer")));
        var invoice = await app.Sender.SendAsync(new OutgoingEmail("paws", EmailCategory.Invoice, Message("Invoice INV-1047")));

        second.Status.Should().Be(SendStatus.Failed);
        second.Suppression.Should().Be(SuppressionReason.Unsubscribed);
        invoice.IsSent.Should().BeTrue(invoice.ToString());
        invoice.Channel.Should().Be(EmailChannel.Smtp);
        server.Messages.Select(m => m.Message.Subject).Should().Equal("Christmas visits", "Invoice INV-1047");
        server.Messages[1].Message.Headers.Contains("List-Unsubscribe").Should().BeFalse("invoices carry no unsubscribe link");
        connections.Should().BeGreaterThan(0);
    }

    private static MimeMessage Message(string subject)
    {
        var message = new MimeMessage { Subject = subject };
        message.From.Add(MailboxAddress.Parse("hello@paws.test"));
        message.To.Add(MailboxAddress.Parse(Client));
        message.Body = new TextPart("plain") { Text = "Thanks for letting us look after Bello." };
        return message;
    }
}
