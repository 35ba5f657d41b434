using MimeKit;

namespace PetSitter.Email;

internal static class MessageCopy
{
    /// <summary>
    /// A new message with copies of the headers and the same body. Header edits on the copy leave the
    /// caller's message alone; the body is shared, so the copy must not be re-encoded in place.
    /// </summary>
    public static MimeMessage ShallowWithHeaders(MimeMessage message)
    {
        var copy = new MimeMessage();
        copy.Headers.Clear();
        foreach (var header in message.Headers)
        {
            copy.Headers.Add(header.Clone());
        }

        copy.Body = message.Body;
        return copy;
    }

    /// <summary>A full copy, body included, for code that may re-encode parts (MailKit prepares a message before sending).</summary>
    public static MimeMessage Deep(MimeMessage message, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        message.WriteTo(FormatOptions.Default, buffer, cancellationToken);
        buffer.Position = 0;
        return MimeMessage.Load(buffer, cancellationToken);
    }
}
