using MimeKit;

namespace PetSitter.Email.SettingsRules;

internal static class EmailAddressRules
{
    /// <summary>Whether <paramref name="value"/> is exactly one plain mailbox (no display name, no group, no CR/LF).</summary>
    public static bool IsMailbox(string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            return false;
        }

        return MailboxAddress.TryParse(ParserOptions.Default, value, out var mailbox)
            && mailbox.Address.Contains('@', StringComparison.Ordinal)
            && string.IsNullOrEmpty(mailbox.Name)
            && mailbox.Route.Count == 0;
    }
}
