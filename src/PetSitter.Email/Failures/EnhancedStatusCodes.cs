using System.Text.RegularExpressions;

namespace PetSitter.Email;

internal static partial class EnhancedStatusCodes
{
    /// <summary>
    /// Finds the RFC 3463 enhanced status code (class.subject.detail) in a reply: where RFC 2034 puts it,
    /// at the start of a line after the optional reply code ("550-5.4.5 ...", MailKit's "535: 5.7.8 ...",
    /// or the bare text "5.7.8 ..."), else the first one anywhere in the text.
    /// </summary>
    public static string? Find(string? reply)
    {
        if (string.IsNullOrEmpty(reply))
        {
            return null;
        }

        // Line starts first, so a version number in a banner ("Postfix 2.11.3") does not pass for one.
        var match = AtLineStart().Match(reply);
        if (!match.Success)
        {
            match = Anywhere().Match(reply);
        }

        return match.Success ? match.Groups["code"].Value : null;
    }

    [GeneratedRegex(@"^[ \t]*(?:[2-5]\d\d[ \t]*[-: ][ \t]*)?(?<code>[245]\.\d{1,3}\.\d{1,3})(?![\d.]*\d)", RegexOptions.Multiline | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 200)]
    private static partial Regex AtLineStart();

    [GeneratedRegex(@"(?<![\d.])(?<code>[245]\.\d{1,3}\.\d{1,3})(?![\d.]*\d)", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 200)]
    private static partial Regex Anywhere();
}
