using Microsoft.Extensions.Options;

namespace PetSitter.Email;

/// <summary>
/// Library-wide options, set with <c>services.AddPetSitterEmail(options => ...)</c> and validated at start,
/// in three groups: <see cref="Native"/> (how native mail presents itself), <see cref="Smtp"/> (the SMTP
/// transport) and <see cref="Retry"/> (retries and the attempt timeout).
/// </summary>
public sealed class PetSitterEmailOptions
{
    /// <summary>Gets the native channel's identity: the platform's From address and the display name format. Default: see <see cref="NativeIdentityOptions"/>.</summary>
    [ValidateObjectMembers]
    public NativeIdentityOptions Native { get; } = new();

    /// <summary>Gets the SMTP transport's timeouts and connection caps. Default: see <see cref="SmtpTransportOptions"/>.</summary>
    [ValidateObjectMembers]
    public SmtpTransportOptions Smtp { get; } = new();

    /// <summary>Gets the SMTP retry and attempt timeout. Default: see <see cref="SmtpRetryOptions"/>.</summary>
    [ValidateObjectMembers]
    public SmtpRetryOptions Retry { get; } = new();
}
