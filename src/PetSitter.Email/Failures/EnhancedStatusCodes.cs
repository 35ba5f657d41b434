using System.Text.RegularExpressions;

namespace PetSitter.Email;

internal static partial class EnhancedStatusCodes
{
    /// <summary>Finds the first RFC 3463 enhanced status code (class.subject.detail) in a reply.</summary>
    public static string? Find(string? reply)
    {
        if (string.IsNullOrEmpty(reply))
        {
            return null;
        }

        var match = Pattern().Match(reply);
        return match.Success ? match.Groups[1].Value : null;
    }

    [GeneratedRegex(@"(?<![\d.])([245]\.\d{1,3}\.\d{1,3})(?![\d.]*\d)", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 200)]
    private static partial Regex Pattern();
}
