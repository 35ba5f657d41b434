using MimeKit;

namespace PetSitter.Email.Tests.Support;

/// <summary>A message as MimeKit writes it: what "the caller's message is unchanged" compares.</summary>
internal static class MessageBytes
{
    public static byte[] Of(MimeMessage message)
    {
        using var stream = new MemoryStream();
        message.WriteTo(stream);
        return stream.ToArray();
    }
}
