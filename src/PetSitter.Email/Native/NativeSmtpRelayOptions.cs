using System.Security.Cryptography.X509Certificates;

namespace PetSitter.Email;

/// <summary>Options of the native mailer that relays through the platform's own SMTP server.</summary>
/// <remarks>The password is never shown by <see cref="ToString"/>.</remarks>
public sealed class NativeSmtpRelayOptions
{
    /// <summary>Gets or sets the relay's host name. Required. Default: empty (must be set).</summary>
    public string Host { get; set; } = string.Empty;

    /// <summary>Gets or sets the relay's port. Default: 587.</summary>
    public int Port { get; set; } = NativeConstants.DefaultRelayPort;

    /// <summary>Gets or sets how the connection is secured. Default: <see cref="SmtpSecurity.Auto"/>.</summary>
    public SmtpSecurity Security { get; set; } = SmtpSecurity.Auto;

    /// <summary>Gets or sets the platform's user name at the relay, or <see langword="null"/> to send without signing in. Default: <see langword="null"/>.</summary>
    public string? UserName { get; set; }

    /// <summary>Gets or sets the platform's password at the relay. Never logged or shown. Default: <see langword="null"/>.</summary>
    public string? Password { get; set; }

    /// <summary>Gets or sets whether signing in over an unencrypted connection is allowed (trusted networks only). Default: <see langword="false"/>.</summary>
    public bool AllowAuthenticationWithoutTls { get; set; }

    /// <summary>Gets extra certificate authorities trusted for the relay only. Default: none (an empty list).</summary>
    public IList<X509Certificate2> TrustedCertificateAuthorities { get; } = [];

    /// <summary>Gets or sets the most connections open to the relay at once. Range 1-100. Default: 3.</summary>
    public int MaxConnections { get; set; } = NativeConstants.DefaultRelayMaxConnections;

    /// <summary>Builds the SMTP account the relay is reached through.</summary>
    /// <param name="fromAddress">The platform's sender address.</param>
    /// <returns>The account settings.</returns>
    internal SmtpAccountSettings ToAccount(string fromAddress) => new()
    {
        Host = Host,
        Port = Port,
        Security = Security,
        UserName = UserName,
        Password = Password,
        FromAddress = fromAddress,
        AllowAuthenticationWithoutTls = AllowAuthenticationWithoutTls,
        TrustedCertificateAuthorities = [.. TrustedCertificateAuthorities],
        MaxConnections = MaxConnections,
    };

    /// <inheritdoc />
    public override string ToString() =>
        $"{Host}:{Port} ({Security}), user {(UserName ?? "(none)")}, password {(Password is null ? "(none)" : "***")}";
}
