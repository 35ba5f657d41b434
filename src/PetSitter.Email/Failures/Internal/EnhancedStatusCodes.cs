using System.Text.RegularExpressions;

namespace PetSitter.Email;

internal static partial class EnhancedStatusCodes
{
    /// <summary>How much of a reply is searched for its code.</summary>
    internal const int MaxSearched = 4096;

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

        // Real replies carry the code in their first lines (a line is at most 512 octets, RFC 5321); a bound on
        // what is searched keeps a hostile reply from costing more than a few milliseconds (see below). The regex
        // reads the first characters as if they were the whole reply, lookarounds and all, without copying them.
        var searched = Math.Min(reply.Length, MaxSearched);

        // Line starts first, so a version number in a banner ("Postfix 2.11.3") does not pass for one.
        var match = AtLineStart().Match(reply, 0, searched);
        if (!match.Success)
        {
            match = Anywhere().Match(reply, 0, searched);
        }

        return match.Success ? match.Groups["code"].Value : null;
    }

    // No match timeout: a wall-clock limit trips on a loaded machine (a 200 ms one made a 100-character reply
    // throw RegexMatchTimeoutException out of the send path in the end-to-end soak). The bound on the input
    // does the timeout's job: a match starts only at a line start or where the lookbehind allows, and the worst
    // case (a line of one code and thousands of blanks) is quadratic in at most MaxSearched characters
    // (ReplyScanningTests feeds both patterns hostile replies).
    [GeneratedRegex(@"^[ \t]*(?:[2-5]\d\d[ \t]*[-: ][ \t]*)?(?<code>[245]\.\d{1,3}\.\d{1,3})(?![\d.]*\d)", RegexOptions.Multiline | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: Timeout.Infinite)]
    private static partial Regex AtLineStart();

    [GeneratedRegex(@"(?<![\d.])(?<code>[245]\.\d{1,3}\.\d{1,3})(?![\d.]*\d)", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: Timeout.Infinite)]
    private static partial Regex Anywhere();
}
