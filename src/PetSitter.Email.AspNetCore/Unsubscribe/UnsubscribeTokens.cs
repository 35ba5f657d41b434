using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace PetSitter.Email.AspNetCore.Unsubscribe;

/// <summary>
/// Makes and reads the token of an unsubscribe link: the business id and the address, protected by ASP.NET Core
/// Data Protection (authenticated encryption: nobody without the app's key ring can read, change or forge one) with
/// an expiry (<see cref="ITimeLimitedDataProtector"/>). The expiry is set and checked on the library's
/// <see cref="TimeProvider"/>; the protector checks it again on the machine's clock.
/// </summary>
internal sealed class UnsubscribeTokens
{
    /// <summary>The Data Protection purpose: a token of any other feature (or version of this one) is refused.</summary>
    internal const string Purpose = "PetSitter.Email.AspNetCore.Unsubscribe.v1";

    private readonly ITimeLimitedDataProtector _protector;
    private readonly OneClickUnsubscribeOptions _options;
    private readonly TimeProvider _time;

    public UnsubscribeTokens(IDataProtectionProvider protection, IOptions<OneClickUnsubscribeOptions> options, TimeProvider time)
    {
        _protector = protection.CreateProtector(Purpose).ToTimeLimitedDataProtector();
        _options = options.Value;
        _time = time;
    }

    public string Create(string businessId, string address)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(businessId);
        ArgumentException.ThrowIfNullOrWhiteSpace(address);
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            // Length-prefixed strings: no separator a business id could contain.
            writer.Write(businessId);
            writer.Write(address.Trim().ToLowerInvariant());
        }

        var expires = _time.GetUtcNow() + _options.TokenLifetime;
        return WebEncoders.Base64UrlEncode(_protector.Protect(buffer.ToArray(), expires));
    }

    /// <summary>Reads a token: the business and address it was made for, or <see langword="null"/> when it is malformed, forged, changed or expired.</summary>
    public (string BusinessId, string Address)? Read(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 2048)
        {
            return null;
        }

        try
        {
            var payload = _protector.Unprotect(WebEncoders.Base64UrlDecode(token), out var expires);
            if (expires <= _time.GetUtcNow())
            {
                return null;
            }

            using var reader = new BinaryReader(new MemoryStream(payload), Encoding.UTF8);
            var businessId = reader.ReadString();
            var address = reader.ReadString();
            return reader.BaseStream.Position == payload.Length && businessId.Length > 0 && address.Length > 0 ? (businessId, address) : null;
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException or EndOfStreamException or IOException)
        {
            return null;
        }
    }
}
