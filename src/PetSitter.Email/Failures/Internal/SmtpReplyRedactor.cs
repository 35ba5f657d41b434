using System.Buffers.Text;
using System.Text.RegularExpressions;

namespace PetSitter.Email;

/// <summary>
/// Removes sign-in secrets a server may echo back in a reply ("501 Invalid AUTH PLAIN AGFsaWNl..."),
/// so a reply can be kept in a failure, logged and shown. Real replies carry no secrets; this guards
/// against the servers that echo what they were sent.
/// </summary>
internal static partial class SmtpReplyRedactor
{
    private const string Hidden = "***";

    public static string? Redact(string? reply)
    {
        if (string.IsNullOrEmpty(reply))
        {
            return reply;
        }

        var redacted = AuthArgument().Replace(reply, m => m.Groups["head"].Value + Hidden);
        redacted = Bearer().Replace(redacted, m => m.Groups["head"].Value + Hidden);
        return Base64Token().Replace(redacted, m => IsCredentialPayload(m.Value) ? Hidden : m.Value);
    }

    /// <summary>
    /// AUTH PLAIN's payload is "authzid NUL user NUL password"; XOAUTH2's is "user=... ^A auth=Bearer ...".
    /// Either one, base64-encoded, is a secret; other base64-looking words (Google's links) are not.
    /// </summary>
    private static bool IsCredentialPayload(string token)
    {
        var bytes = new byte[Base64.GetMaxDecodedFromUtf8Length(token.Length)];
        if (!Convert.TryFromBase64String(token, bytes, out var written))
        {
            return false;
        }

        // A word that merely looks like base64 decodes to bytes outside printable ASCII.
        var separators = 0;
        foreach (var b in bytes.AsSpan(0, written))
        {
            if (b is 0 or 1)
            {
                separators++;
            }
            else if (b is < 0x20 or > 0x7E)
            {
                return false;
            }
        }

        return separators > 0;
    }

    // No match timeout, for the reason given in EnhancedStatusCodes. None is needed: a match starts only at
    // a word boundary before AUTH or Bearer, or at the start of a base64-looking run, and no two adjacent
    // loops can take the same character, so these run in linear time (ReplyScanningTests checks it).
    // The mechanism is matched as SASL writes it (RFC 4422: upper case, at most 20 characters), so Postfix's
    // "too many AUTH commands from 127.0.0.1" keeps its words: "commands" is no mechanism and "from" no secret.
    [GeneratedRegex(@"(?<head>\b(?i:AUTH)\s+[A-Z0-9_-]{1,20}\s+)\S+", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: Timeout.Infinite)]
    private static partial Regex AuthArgument();

    [GeneratedRegex(@"(?<head>\bBearer\s+)\S+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: Timeout.Infinite)]
    private static partial Regex Bearer();

    [GeneratedRegex(@"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{12,}={0,2}(?![A-Za-z0-9+/=])", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: Timeout.Infinite)]
    private static partial Regex Base64Token();
}
