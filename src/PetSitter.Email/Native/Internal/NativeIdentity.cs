using MimeKit;

namespace PetSitter.Email.Native;

/// <summary>
/// Rewrites a business's message to the native channel's identity: From the platform address with
/// the display name "{Business} via Pet Sitter Plus", Reply-To the business, everything else kept
/// (Message-ID included, so a client can collapse a duplicate sent by fallback).
/// </summary>
internal static class NativeIdentity
{
    public static MimeMessage Apply(MimeMessage message, BusinessEmailSettings business, NativeIdentityOptions options)
    {
        var copy = MessageCopy.ShallowWithHeaders(message);
        copy.From.Clear();
        copy.From.Add(new MailboxAddress(options.FormatDisplayName(business.BusinessName), options.PlatformFromAddress));
        copy.Sender = null;
        copy.ReplyTo.Clear();
        copy.ReplyTo.Add(new MailboxAddress(business.BusinessName, business.ReplyToAddress));
        return copy;
    }
}
