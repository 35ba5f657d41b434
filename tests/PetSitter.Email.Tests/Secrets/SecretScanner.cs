using System.Text;
using System.Text.RegularExpressions;

namespace PetSitter.Email.Tests.Secrets;

/// <summary>
/// Finds registered secrets in text: as they are, or inside a base64 word (AUTH PLAIN's
/// "\0user\0password", XOAUTH2's "user=...\u0001auth=Bearer token").
/// </summary>
internal static partial class SecretScanner
{
    /// <summary>Gets the names of the secrets <paramref name="text"/> contains, in no particular order.</summary>
    public static IReadOnlyList<string> Find(string? text) => Find(text, TestSecrets.All);

    public static IReadOnlyList<string> Find(string? text, IReadOnlyDictionary<string, string> secrets)
    {
        if (string.IsNullOrEmpty(text))
        {
            return [];
        }

        List<string>? found = null;
        foreach (var (value, name) in secrets)
        {
            if (text.Contains(value, StringComparison.Ordinal))
            {
                (found ??= []).Add(name);
            }
        }

        foreach (Match word in Base64Word().Matches(text))
        {
            if (Decode(word.Value) is not { } decoded)
            {
                continue;
            }

            foreach (var (value, name) in secrets)
            {
                if (decoded.Contains(value, StringComparison.Ordinal) && found?.Contains(name) != true)
                {
                    (found ??= []).Add(name);
                }
            }
        }

        return found ?? (IReadOnlyList<string>)[];
    }

    private static string? Decode(string word)
    {
        var padded = word.TrimEnd('=');
        padded += new string('=', (4 - (padded.Length % 4)) % 4);
        var bytes = new byte[padded.Length];
        return Convert.TryFromBase64String(padded, bytes, out var written) ? Encoding.UTF8.GetString(bytes, 0, written) : null;
    }

    [GeneratedRegex(@"[A-Za-z0-9+/]{8,}={0,2}", RegexOptions.CultureInvariant)]
    private static partial Regex Base64Word();
}
