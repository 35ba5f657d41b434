using System.Text;
using MailKit.Net.Smtp;
using MimeKit;
using MimeKit.IO;

namespace PetSitter.Email.Tests.Smtp;

/// <summary>
/// The bound that spares measuring a message far below the server's SIZE must never be below the size the message has
/// once MailKit prepared and wrote it, whatever encoding MailKit picks.
/// </summary>
public sealed class MessageSizeBoundTests
{
    public static TheoryData<string> Shapes() => new(Messages.Keys);

    [Theory]
    [MemberData(nameof(Shapes))]
    public void The_bound_is_never_below_the_written_size_in_any_encoding_MailKit_may_choose(string shape)
    {
        foreach (var constraint in new[] { EncodingConstraint.None, EncodingConstraint.EightBit, EncodingConstraint.SevenBit })
        {
            foreach (var international in new[] { false, true })
            {
                var message = Messages[shape]();
                var bound = MessageSizeBound.Of(message);

                // What MailKit does before it writes: it re-encodes parts the server's extensions cannot carry.
                message.Prepare(constraint, 78);
                var options = FormatOptions.Default.Clone();
                options.NewLineFormat = NewLineFormat.Dos;
                options.International = international;
                using var measure = new MeasuringStream();
                message.WriteTo(options, measure);

                bound.Should().NotBeNull();
                bound!.Value.Should().BeGreaterThanOrEqualTo(measure.Length, $"{shape}, {constraint}, international {international}");
            }
        }
    }

    [Fact]
    public void Parts_nested_deeper_than_it_walks_give_no_bound()
    {
        MimeEntity body = new TextPart("plain") { Text = "deep" };
        for (var level = 0; level < 40; level++)
        {
            body = new Multipart("mixed") { body };
        }

        MessageSizeBound.Of(Messages["plain invoice"]()).Should().NotBeNull();
        MessageSizeBound.Of(Message("deep", body)).Should().BeNull("such a message is measured rather than walked");
    }

    [Fact]
    public void A_message_far_below_the_announced_size_is_not_written_out_to_be_measured()
    {
        // Content that cannot be read: measuring the message would throw, so passing proves it was not written out.
        var message = Messages["plain invoice"]();
        message.Body = new MimePart("application", "pdf") { Content = new MimeContent(new UnreadableStream(1_000)) };
        var recipients = new[] { new MailboxAddress("A client", "client@example.com") };

        FluentActions.Invoking(() => SmtpConnection.EnsureServerCanTake(message, recipients, SmtpCapabilities.Size, 35_882_577, "mail.pawsandclaws.example:587"))
            .Should().NotThrow();
        FluentActions.Invoking(() => SmtpConnection.EnsureServerCanTake(message, recipients, SmtpCapabilities.Size, 4_000, "mail.pawsandclaws.example:587"))
            .Should().Throw<NotSupportedException>("near the limit the message is measured exactly");
    }

    private static readonly Dictionary<string, Func<MimeMessage>> Messages = new()
    {
        ["plain invoice"] = () => Message("Invoice 42", new TextPart("plain") { Text = "Thank you for choosing Paws & Claws.\r\nTotal ........ 75.00\r\n" }),
        ["8-bit text, quoted-printable's worst case"] = () => Message("Rechnung", Text(new string('é', 3000) + string.Concat(Enumerable.Repeat("=\t \r\n", 500)))),
        ["bare LF lines and lines starting with a dot"] = () => Message("dots", new TextPart("plain") { Text = string.Concat(Enumerable.Repeat(".\n..\nFrom x\n", 800)) }),
        ["one long line"] = () => Message("long", new TextPart("plain") { Text = new string('x', 20_000) }),
        ["non-ASCII headers"] = () =>
        {
            var message = Message(string.Concat(Enumerable.Repeat("請求書 ペットシッター ", 40)), new TextPart("plain") { Text = "本文" });
            message.From.Clear();
            message.From.Add(new MailboxAddress(string.Concat(Enumerable.Repeat("ポーズ＆クローズ", 12)), "hello@pawsandclaws.example"));
            message.Headers.Add("X-Note", string.Concat(Enumerable.Repeat("Ünïcödé ", 200)));
            return message;
        },
        ["binary attachment"] = () =>
        {
            var bytes = new byte[200_000];
            new Random(7).NextBytes(bytes);
            var body = new Multipart("mixed")
            {
                new TextPart("plain") { Text = "Attached." },
                new MimePart("application", "pdf") { Content = new MimeContent(new MemoryStream(bytes)), FileName = "invoice.pdf" },
            };
            return Message("with attachment", body);
        },
        ["nested parts and an attached message"] = () =>
        {
            var alternative = new MultipartAlternative
            {
                new TextPart("plain") { Text = "Hello é" },
                new TextPart("html") { Text = "<p>Hello é</p>" + new string('ü', 2000) },
            };
            var forwarded = new MessagePart { Message = Message("Original", Text("Früher")) };
            var body = new Multipart("mixed") { alternative, forwarded };
            body.Preamble = "This is a multi-part message in MIME format.";
            body.Epilogue = "épilogue";
            return Message("nested", body);
        },
        ["parsed message with base64 content kept encoded"] = () =>
        {
            var raw = "From: a@example.com\r\nTo: b@example.com\r\nSubject: parsed\r\nMIME-Version: 1.0\r\nContent-Type: application/octet-stream\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\n" + Convert.ToBase64String(new byte[30_000], Base64FormattingOptions.InsertLineBreaks) + "\r\n";
            return MimeMessage.Load(new MemoryStream(Encoding.ASCII.GetBytes(raw)));
        },
    };

    private static TextPart Text(string text)
    {
        var part = new TextPart("plain");
        part.SetText("utf-8", text);
        part.ContentTransferEncoding = ContentEncoding.EightBit;
        return part;
    }

    private static MimeMessage Message(string subject, MimeEntity body)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Paws & Claws", "hello@pawsandclaws.example"));
        message.To.Add(new MailboxAddress("A client", "client@example.com"));
        message.Subject = subject;
        message.Body = body;
        return message;
    }

    private sealed class UnreadableStream(long length) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get; set; }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("read");

        public override long Seek(long offset, SeekOrigin origin) => Position = origin == SeekOrigin.Begin ? offset : Position + offset;

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
