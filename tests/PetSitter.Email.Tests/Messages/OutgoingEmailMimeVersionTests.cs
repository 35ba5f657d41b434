using MimeKit;

using PetSitter.Email.Tests.Support;

namespace PetSitter.Email.Tests.Messages;

/// <summary>
/// The one change the library makes to a caller's message: <c>MIME-Version: 1.0</c> when it has none (RFC 2045 requires
/// it of every MIME message and MailKit adds it to what it sends), so that sending needs no header copy.
/// </summary>
public sealed class OutgoingEmailMimeVersionTests
{
    [Fact]
    public void A_message_without_MIME_Version_gains_1_0_when_it_becomes_an_outgoing_email_and_keeps_every_other_header()
    {
        var message = Message();
        var before = message.Headers.Select(h => (h.Field, h.Value)).ToList();

        _ = new OutgoingEmail("paws", EmailCategory.Invoice, message);

        message.MimeVersion.Should().Be(new Version(1, 0));
        message.Headers.Select(h => (h.Field, h.Value)).Should().Equal([.. before, ("MIME-Version", "1.0")]);
    }

    [Fact]
    public void A_message_with_its_own_MIME_Version_is_left_byte_for_byte_as_it_is()
    {
        var message = Message();
        message.MimeVersion = new Version(1, 0);
        var before = MessageBytes.Of(message);

        _ = new OutgoingEmail("paws", EmailCategory.Invoice, message);
        _ = new OutgoingEmail("paws", EmailCategory.Marketing, message);

        MessageBytes.Of(message).Should().Equal(before);
    }

    private static MimeMessage Message()
    {
        var message = new MimeMessage { Subject = "Invoice for October" };
        message.From.Add(new MailboxAddress("Paws & Claws", "owner@paws.example"));
        message.To.Add(new MailboxAddress("Client", "client@example.com"));
        message.Body = new TextPart("plain") { Text = "Thank you for trusting us with Bello." };
        return message;
    }

}
