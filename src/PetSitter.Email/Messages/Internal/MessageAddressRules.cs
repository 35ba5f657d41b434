using MimeKit;

namespace PetSitter.Email.Messages;

/// <summary>
/// The checks a message's addresses get before anything is sent: each recipient and Reply-To mailbox
/// must have a local part, an @ and a domain. MimeKit already refuses a CR, LF or other control character
/// in an address when the mailbox is created, but accepts an empty address and a bare local part, which
/// would otherwise reach the server. Finer syntax is the server's call: it refuses what it cannot
/// deliver, which the caller gets as a rejected recipient.
/// </summary>
/// <remarks>From and Sender are not checked: every channel replaces them with the account's or the platform's address.</remarks>
internal static class MessageAddressRules
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the header and the address when one is unusable.</summary>
    public static void EnsureUsable(MimeMessage message, string paramName)
    {
        Check(message.To, "To", paramName);
        Check(message.Cc, "Cc", paramName);
        Check(message.Bcc, "Bcc", paramName);
        Check(message.ReplyTo, "Reply-To", paramName);
    }

    private static void Check(InternetAddressList list, string header, string paramName)
    {
        for (var i = 0; i < list.Count; i++)
        {
            switch (list[i])
            {
                case MailboxAddress mailbox when Problem(mailbox.Address) is { } problem:
                    throw new ArgumentException(
                        $"The message's {header} address '{mailbox.Address}' {problem}: correct or remove it (an address looks like client@example.com).",
                        paramName);
                case GroupAddress group:
                    Check(group.Members, header, paramName);
                    break;
            }
        }
    }

    private static string? Problem(string? address)
    {
        if (string.IsNullOrWhiteSpace(address))
        {
            return "is empty";
        }

        var at = address.LastIndexOf('@');
        return at <= 0 || at == address.Length - 1 ? "is not an email address (it needs a name, an @ and a domain)" : null;
    }
}
