using MimeKit;
using MimeKit.Cryptography;

namespace PetSitter.Email.Messages;

internal static class MessageCopy
{
    /// <summary>The longest line SMTP allows (RFC 5321), which MailKit prepares messages for.</summary>
    private const int SmtpLineLimit = 998;

    /// <summary>
    /// A new message with copies of the headers and the same body. Header edits on the copy leave the
    /// caller's message alone; the body is shared, so the copy must not be re-encoded in place.
    /// </summary>
    /// <remarks>
    /// Built from the header list rather than with <c>new MimeMessage()</c>, which would first make a Date and a
    /// Message-ID of its own only to have them cleared: this way a copy costs less than half (about 4 KB rather
    /// than 11 KB for a small message).
    /// </remarks>
    public static MimeMessage ShallowWithHeaders(MimeMessage message) => new MimeMessage((IEnumerable<Header>)CloneHeaders(message)) { Body = message.Body };

    /// <summary>
    /// Like <see cref="ShallowWithHeaders"/>, for a copy the library makes only to send it over SMTP and hands to no
    /// one else: <see cref="ForSending"/> lets MailKit prepare such a copy in place instead of copying it again.
    /// </summary>
    public static MimeMessage OwnedWithHeaders(MimeMessage message) => new OwnedCopy(CloneHeaders(message)) { Body = message.Body };

    private static Header[] CloneHeaders(MimeMessage message)
    {
        var headers = new Header[message.Headers.Count];
        for (var i = 0; i < headers.Length; i++)
        {
            headers[i] = message.Headers[i].Clone();
        }

        return headers;
    }

    /// <summary>
    /// A message MailKit may prepare for sending without touching the caller's message. MailKit's preparation
    /// (<see cref="MimeMessage.Prepare"/>) adds MIME-Version to the message's headers and may re-encode body
    /// parts. When a part would be re-encoded under some constraint, the whole message is copied. Otherwise only
    /// the headers could change, and only by gaining MIME-Version: a message that already has it, or a copy the
    /// library made for this send (<see cref="OwnedWithHeaders"/>), is sent as it is; any other gets a copy of
    /// its headers (about a quarter of the bytes of a full copy, and no serializing and parsing).
    /// </summary>
    public static MimeMessage ForSending(MimeMessage message, CancellationToken cancellationToken)
    {
        if (message.Body is null)
        {
            return message is OwnedCopy ? message : ShallowWithHeaders(message);
        }

        if (!PreparationKeepsBody(message.Body, cancellationToken))
        {
            return Deep(message, cancellationToken);
        }

        return message is OwnedCopy || message.MimeVersion is not null ? message : ShallowWithHeaders(message);
    }

    /// <summary>
    /// Whether <see cref="MimeEntity.Prepare"/> leaves this entity as it is under every encoding constraint, as
    /// MimeKit decides it: parts already in quoted-printable, uuencode or base64 are kept, a part with no
    /// transfer encoding stays so when its content is 7-bit with lines of at most 998 octets (MailKit prepares with
    /// SMTP's line limit whatever the server's extensions), and the children of a multipart/signed are never prepared. Anything else (or unknown) counts as changed.
    /// </summary>
    private static bool PreparationKeepsBody(MimeEntity entity, CancellationToken cancellationToken)
    {
        switch (entity)
        {
            case MultipartSigned:
                return true;
            case Multipart multipart:
                foreach (var child in multipart)
                {
                    if (!PreparationKeepsBody(child, cancellationToken))
                    {
                        return false;
                    }
                }

                return true;
            case MessagePart { Message: var inner }:
                // Preparing an attached message may add its MIME-Version: only a message that has one is kept.
                return inner is null || (inner.MimeVersion is not null && (inner.Body is null || PreparationKeepsBody(inner.Body, cancellationToken)));
            case MimePart part:
                return part.ContentTransferEncoding switch
                {
                    ContentEncoding.QuotedPrintable or ContentEncoding.UUEncode or ContentEncoding.Base64 => true,
                    ContentEncoding.Default => part.Content is not null
                        && (IsPlainSevenBit(part.Content)
                            || part.GetBestEncoding(EncodingConstraint.SevenBit, SmtpLineLimit, cancellationToken) == ContentEncoding.SevenBit),
                    _ => false,
                };
            default:
                return false;
        }
    }

    /// <summary>
    /// A quick look that MimeKit's own <see cref="MimePart.GetBestEncoding(EncodingConstraint, int, CancellationToken)"/>
    /// would answer 7-bit for this content, without its filter chain (about 600 bytes of filters and streams per part,
    /// on every send). Stricter than MimeKit: only content stored as it is, on a stream that can seek, with no NUL and
    /// no 8-bit byte, every line (its CR counted) shorter than SMTP's limit and none starting with "From " (MimeKit
    /// quotes those for mbox readers). Anything else answers false and MimeKit decides.
    /// </summary>
    private static bool IsPlainSevenBit(IMimeContent content)
    {
        if (content.Encoding != ContentEncoding.Default || content.Stream is not { CanSeek: true, CanRead: true } stream)
        {
            return false;
        }

        var position = stream.Position;
        try
        {
            stream.Position = 0;
            Span<byte> buffer = stackalloc byte[1024];
            var line = 0;
            var start = 0UL;
            int read;
            while ((read = stream.Read(buffer)) > 0)
            {
                foreach (var b in buffer[..read])
                {
                    if (b is 0 or >= 0x80)
                    {
                        return false;
                    }

                    if (b == (byte)'\n')
                    {
                        line = 0;
                        start = 0;
                        continue;
                    }

                    // The first five bytes of the line, to see whether it starts with "From ".
                    if (line < 5)
                    {
                        start |= (ulong)b << (8 * line);
                        if (line == 4 && start == FromMarker)
                        {
                            return false;
                        }
                    }

                    if (++line >= SmtpLineLimit)
                    {
                        return false;
                    }
                }
            }

            return true;
        }
        finally
        {
            stream.Position = position;
        }
    }

    /// <summary>"From " as five little-endian bytes.</summary>
    private const ulong FromMarker = (byte)'F' | ((ulong)'r' << 8) | ((ulong)'o' << 16) | ((ulong)'m' << 24) | ((ulong)' ' << 32);

    /// <summary>A full copy, body included, for code that may re-encode parts (MailKit prepares a message before sending).</summary>
    public static MimeMessage Deep(MimeMessage message, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        message.WriteTo(FormatOptions.Default, buffer, cancellationToken);
        buffer.Position = 0;
        return MimeMessage.Load(buffer, cancellationToken);
    }

    /// <summary>A header copy made by the library for one SMTP send: its headers belong to no caller.</summary>
    private sealed class OwnedCopy(IEnumerable<Header> headers) : MimeMessage(headers);
}
