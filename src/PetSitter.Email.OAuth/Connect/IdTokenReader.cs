using System.Text.Json;

namespace PetSitter.Email.OAuth.Connect;

/// <summary>
/// Reads the mailbox from the ID token returned by the token endpoint. The token came straight from the
/// provider over TLS in answer to our own authenticated code exchange, which OpenID Connect Core 1.0
/// (section 3.1.3.7) accepts in place of checking its signature; issuer, audience, expiry and nonce are checked.
/// </summary>
internal static class IdTokenReader
{
    public static (string? Mailbox, string? Problem) Read(string? idToken, SmtpOAuthProviderOptions provider, string nonce, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(idToken) || idToken.Split('.') is not { Length: 3 } parts || Base64Url.Decode(parts[1]) is not { } payload)
        {
            return (null, "the provider returned no readable ID token");
        }

        try
        {
            using var document = JsonDocument.Parse(payload);
            var claims = document.RootElement;
            var tenant = Text(claims, "tid");
            var expectedIssuer = provider.Issuer!.Replace("{tenantid}", tenant ?? "{tenantid}", StringComparison.Ordinal);
            if (!string.Equals(Text(claims, "iss"), expectedIssuer, StringComparison.Ordinal))
            {
                return (null, "the ID token was issued by another issuer");
            }

            if (!HasAudience(claims, provider.ClientId!))
            {
                return (null, "the ID token is for another app");
            }

            if (!string.Equals(Text(claims, "nonce"), nonce, StringComparison.Ordinal))
            {
                return (null, "the ID token belongs to another sign-in (nonce)");
            }

            if (!claims.TryGetProperty("exp", out var exp) || !exp.TryGetInt64(out var expires) || DateTimeOffset.FromUnixTimeSeconds(expires) <= now)
            {
                return (null, "the ID token has expired");
            }

            if (claims.TryGetProperty("email_verified", out var verified) && verified.ValueKind == JsonValueKind.False)
            {
                return (null, "the provider says the mailbox address is not verified");
            }

            var mailbox = Text(claims, "email");
            return string.IsNullOrWhiteSpace(mailbox) || !mailbox.Contains('@', StringComparison.Ordinal)
                ? (null, "the ID token names no mailbox ('email' claim): check that the 'email' scope was granted")
                : (mailbox.Trim(), null);
        }
        catch (JsonException)
        {
            return (null, "the ID token is not valid JSON");
        }
    }

    private static string? Text(JsonElement claims, string name) =>
        claims.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool HasAudience(JsonElement claims, string clientId) =>
        claims.TryGetProperty("aud", out var aud) && aud.ValueKind switch
        {
            JsonValueKind.String => aud.GetString() == clientId,
            JsonValueKind.Array => aud.EnumerateArray().Any(a => a.ValueKind == JsonValueKind.String && a.GetString() == clientId),
            _ => false,
        };
}
