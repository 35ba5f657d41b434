using MimeKit;

using PetSitter.Email.Tests.Support;

namespace PetSitter.Email.Tests.Messages;

public sealed class MessageCopyTests
{
    [Fact]
    public void A_seven_bit_message_is_copied_for_sending_by_its_headers_and_shares_its_body()
    {
        var message = Message(new TextPart("plain") { Text = "See you at 9." });

        var copy = MessageCopy.ForSending(message, CancellationToken.None);

        copy.Should().NotBeSameAs(message);
        copy.Body.Should().BeSameAs(message.Body);
        copy.Headers.Should().NotBeSameAs(message.Headers);
    }

    [Theory]
    [InlineData("Bello lässt grüßen.")]
    [InlineData(null)]
    public void A_body_that_preparation_would_re_encode_is_copied_whole(string? text)
    {
        // null: a line longer than SMTP's 998 octets.
        text ??= new string('x', 1200);
        var message = Message(new Multipart("mixed") { new TextPart("plain") { Text = text } });

        var copy = MessageCopy.ForSending(message, CancellationToken.None);

        copy.Body.Should().NotBeSameAs(message.Body);
        copy.TextBody.Should().Be(message.TextBody);
    }

    [Fact]
    public void Parts_already_in_base64_or_quoted_printable_need_no_body_copy()
    {
        var attachment = new MimePart("application", "pdf") { Content = new MimeContent(new MemoryStream([0xFF, 0x00, 0x25])), ContentTransferEncoding = ContentEncoding.Base64 };
        var text = new TextPart("plain") { Text = "Grüße", ContentTransferEncoding = ContentEncoding.QuotedPrintable };
        var message = Message(new Multipart("mixed") { text, attachment });

        MessageCopy.ForSending(message, CancellationToken.None).Body.Should().BeSameAs(message.Body);
    }

    [Fact]
    public void A_message_that_already_has_MIME_Version_and_a_seven_bit_body_is_sent_as_it_is()
    {
        var message = Message(new TextPart("plain") { Text = "See you at 9." });
        message.MimeVersion = new Version(1, 0);

        MessageCopy.ForSending(message, CancellationToken.None).Should().BeSameAs(message, "preparing it for SMTP changes nothing");
    }

    [Fact]
    public void A_message_without_MIME_Version_is_still_copied_by_its_headers_for_sending()
    {
        var message = Message(new TextPart("plain") { Text = "See you at 9." });

        var copy = MessageCopy.ForSending(message, CancellationToken.None);

        copy.Should().NotBeSameAs(message, "MailKit would add MIME-Version to the message it sends");
        copy.Body.Should().BeSameAs(message.Body);
    }

    [Fact]
    public void A_header_copy_the_library_made_for_sending_is_not_copied_again_and_leaves_the_original_alone()
    {
        var message = Message(new TextPart("plain") { Text = "See you at 9." });
        var owned = MessageCopy.OwnedWithHeaders(message);

        owned.From.Clear();
        owned.From.Add(new MailboxAddress("Paws & Claws", "hello@paws.example"));

        MessageCopy.ForSending(owned, CancellationToken.None).Should().BeSameAs(owned);
        message.From.Mailboxes.Single().Address.Should().Be("owner@paws.example");
    }

    [Fact]
    public void A_library_copy_whose_shared_body_would_be_re_encoded_is_copied_whole()
    {
        var message = Message(new TextPart("plain") { Text = "Bello lässt grüßen." });
        var owned = MessageCopy.OwnedWithHeaders(message);

        var sent = MessageCopy.ForSending(owned, CancellationToken.None);

        sent.Should().NotBeSameAs(owned);
        sent.Body.Should().NotBeSameAs(message.Body, "the body still belongs to the caller");
    }

    public static TheoryData<string, string> BodiesAtTheEdgeOfSevenBit() => new()
    {
        { "lines of 996 characters", string.Join("\r\n", new string('a', 996), new string('b', 996)) },
        { "a line of 997 characters and its CR", new string('a', 997) + "\r\nok" },
        { "a line of 998 characters", new string('a', 998) + "\nok" },
        { "a line of 999 characters", new string('a', 999) + "\nok" },
        { "a line starting with From", "Hello,\r\nFrom here on Bello walks at 9.\r\n" },
        { "From on the first line", "From the team at Paws & Claws\r\n" },
        { "Fromage, not a marker", "Fromage for Bello? No.\r\n" },
        { "a NUL byte", "See you\0 at 9." },
        { "an 8-bit letter", "Grüße" },
        { "an empty body", "" },
    };

    [Theory]
    [MemberData(nameof(BodiesAtTheEdgeOfSevenBit))]
    public void Preparing_what_is_sent_for_SMTP_never_changes_the_callers_body(string shape, string text)
    {
        var message = Message(new TextPart("plain") { Text = text });
        message.MimeVersion = new Version(1, 0);
        var before = MessageBytes.Of(message);

        // What MailKit does to the message it is given, under either constraint a server's extensions lead to.
        var sent = MessageCopy.ForSending(message, CancellationToken.None);
        sent.Prepare(EncodingConstraint.SevenBit, 998);
        sent.Prepare(EncodingConstraint.EightBit, 998);

        MessageBytes.Of(message).Should().Equal(before, "the body with {0} still belongs to the caller", shape);
    }


    private static MimeMessage Message(MimeEntity body)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Paws & Claws", "owner@paws.example"));
        message.To.Add(MailboxAddress.Parse("client@example.com"));
        message.Body = body;
        return message;
    }
}
