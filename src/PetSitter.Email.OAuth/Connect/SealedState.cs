using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PetSitter.Email.OAuth.Connect;

/// <summary>What the <c>state</c> parameter carries, sealed: the PKCE verifier and nonce must not be readable in the browser's address bar.</summary>
internal sealed record StatePayload(
    [property: JsonPropertyName("i")] string Id,
    [property: JsonPropertyName("b")] string BusinessId,
    [property: JsonPropertyName("u")] string AppUserId,
    [property: JsonPropertyName("p")] string Provider,
    [property: JsonPropertyName("r")] string RedirectUri,
    [property: JsonPropertyName("v")] string CodeVerifier,
    [property: JsonPropertyName("n")] string Nonce,
    [property: JsonPropertyName("e")] long ExpiresAtUnixSeconds);

/// <summary>
/// Seals and opens the state with AES-256-GCM under a key derived from <see cref="SmtpOAuthOptions.StateKey"/>:
/// any change to a byte fails the tag, and nothing inside can be read without the key.
/// </summary>
internal sealed class SealedState
{
    private const int NonceBytes = 12;
    private const int TagBytes = 16;
    private static readonly byte[] Purpose = Encoding.ASCII.GetBytes("PetSitter.Email.OAuth state v1");
    private readonly byte[] _key;

    public SealedState(string stateKey)
    {
        var secret = DependencyInjection.SmtpOAuthOptionsCustomValidator.StateKeyBytes(stateKey)
            ?? throw new ArgumentException("SmtpOAuthOptions.StateKey is not base64.", nameof(stateKey));
        _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, 32, salt: [], info: Purpose);
    }

    public string Seal(StatePayload payload)
    {
        var plain = JsonSerializer.SerializeToUtf8Bytes(payload);
        var sealedBytes = new byte[NonceBytes + plain.Length + TagBytes];
        var nonce = sealedBytes.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagBytes);
        aes.Encrypt(nonce, plain, sealedBytes.AsSpan(NonceBytes, plain.Length), sealedBytes.AsSpan(NonceBytes + plain.Length), Purpose);
        return Base64Url.Encode(sealedBytes);
    }

    public StatePayload? Open(string? state)
    {
        if (string.IsNullOrEmpty(state) || state.Length > 4096 || Base64Url.Decode(state) is not { Length: > NonceBytes + TagBytes } sealedBytes)
        {
            return null;
        }

        var plainLength = sealedBytes.Length - NonceBytes - TagBytes;
        var plain = new byte[plainLength];
        try
        {
            using var aes = new AesGcm(_key, TagBytes);
            aes.Decrypt(sealedBytes.AsSpan(0, NonceBytes), sealedBytes.AsSpan(NonceBytes, plainLength), sealedBytes.AsSpan(NonceBytes + plainLength), plain, Purpose);
            return JsonSerializer.Deserialize<StatePayload>(plain);
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>Base64url without padding (RFC 4648 section 5), as PKCE, JWTs and the state use it.</summary>
internal static class Base64Url
{
    public static string Encode(ReadOnlySpan<byte> bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    public static byte[]? Decode(string text)
    {
        try
        {
            return System.Buffers.Text.Base64Url.DecodeFromChars(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
