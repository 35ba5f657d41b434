using MimeKit;

namespace PetSitter.Email.Smtp;

/// <summary>
/// An upper bound of a message's size once written, read from its parts' lengths without writing it: when the bound is
/// within a server's announced SIZE, the message surely fits and need not be written out to be measured (a real
/// provider announces SIZE, and measuring costs as much as writing the message; MailKit measures it once more for
/// MAIL FROM's SIZE parameter).
/// </summary>
/// <remarks>
/// Deliberately loose: the bound only spares the measurement of messages far below the limit (a few kilobytes against
/// Gmail's 35 MB); a message near the limit, or with content of unknown length, is measured exactly as before.
/// </remarks>
internal static class MessageSizeBound
{
    // A header's raw bytes, written with other options (international or not), re-encoded (RFC 2047, base64 of UTF-8 with
    // the encoded word's markup) and folded, stay under 8 bytes per raw byte.
    private const long HeaderFactor = 8;

    // A content byte written in any transfer encoding MailKit may choose: quoted-printable's "=XX" with soft line breaks
    // (about 3.1), base64 (1.37), or a bare LF written as CRLF (2).
    private const long ContentFactor = 4;

    // Per entity: its boundary lines and the MIME headers the writer or MailKit's preparation may add.
    private const long PerEntity = 1024;

    // Deeper nesting is measured rather than walked.
    private const int MaxDepth = 32;

    /// <summary>Gets a size the written message cannot exceed, or <see langword="null"/> when a part's length is unknown.</summary>
    public static long? Of(MimeMessage message) => Of(message, 0);

    private static long? Of(MimeMessage message, int depth)
    {
        var size = PerEntity + Headers(message.Headers);
        if (message.Body is null)
        {
            return size;
        }

        return Entity(message.Body, depth + 1) is { } body ? size + body : null;
    }

    private static long? Entity(MimeEntity entity, int depth)
    {
        if (depth > MaxDepth)
        {
            return null;
        }

        var size = PerEntity + Headers(entity.Headers);
        switch (entity)
        {
            case Multipart multipart:
                size += HeaderFactor * ((long)(multipart.Preamble?.Length ?? 0) + (multipart.Epilogue?.Length ?? 0));
                foreach (var child in multipart)
                {
                    if (Entity(child, depth + 1) is not { } part)
                    {
                        return null;
                    }

                    size += part;
                }

                return size;

            case MessagePart { Message: { } attached }:
                return Of(attached, depth) is { } inner ? size + inner : null;

            case MessagePart:
                return size;

            case MimePart { Content: null }:
                return size;

            case MimePart { Content.Stream: { CanSeek: true } stream }:
                return size + ContentFactor * stream.Length;

            default:
                return null;
        }
    }

    private static long Headers(HeaderList headers)
    {
        long size = 0;
        foreach (var header in headers)
        {
            size += header.Field.Length + 2 + (header.RawValue?.Length ?? 0);
        }

        return HeaderFactor * size;
    }
}
