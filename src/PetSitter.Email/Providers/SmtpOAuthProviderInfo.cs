namespace PetSitter.Email;

/// <summary>One provider's OAuth2 facts for SMTP sign-in (see <see cref="SmtpOAuthProviders"/>).</summary>
public sealed class SmtpOAuthProviderInfo
{
    internal SmtpOAuthProviderInfo(
        string name,
        Uri authorizationEndpoint,
        Uri tokenEndpoint,
        string issuer,
        IReadOnlyList<string> scopes,
        IReadOnlyDictionary<string, string> authorizationParameters,
        string smtpHost,
        int smtpPort,
        SmtpSecurity smtpSecurity,
        string smtpProvider,
        string? source,
        Uri? revocationEndpoint = null)
    {
        Name = name;
        AuthorizationEndpoint = authorizationEndpoint;
        TokenEndpoint = tokenEndpoint;
        Issuer = issuer;
        Scopes = scopes;
        AuthorizationParameters = authorizationParameters;
        SmtpHost = smtpHost;
        SmtpPort = smtpPort;
        SmtpSecurity = smtpSecurity;
        SmtpProvider = smtpProvider;
        Source = source;
        RevocationEndpoint = revocationEndpoint;
    }

    /// <summary>Gets the provider's name, for example <c>Microsoft 365</c>.</summary>
    public string Name { get; }

    /// <summary>Gets the authorization endpoint the owner's browser is sent to.</summary>
    public Uri AuthorizationEndpoint { get; }

    /// <summary>Gets the token endpoint that exchanges the code and refreshes access tokens.</summary>
    public Uri TokenEndpoint { get; }

    /// <summary>
    /// Gets the revocation endpoint (RFC 7009) a disconnect sends the refresh token to; <see langword="null"/> when the
    /// provider has none for refresh tokens (the Microsoft identity platform).
    /// </summary>
    public Uri? RevocationEndpoint { get; }

    /// <summary>Gets the issuer of its ID tokens; <c>{tenantid}</c> stands for the <c>tid</c> claim in a multi-tenant issuer.</summary>
    public string Issuer { get; }

    /// <summary>Gets the scopes SMTP sending needs, with <c>openid email</c> for the mailbox address.</summary>
    public IReadOnlyList<string> Scopes { get; }

    /// <summary>Gets extra authorization-request parameters the provider needs to return a refresh token.</summary>
    public IReadOnlyDictionary<string, string> AuthorizationParameters { get; }

    /// <summary>Gets the SMTP submission host, for example <c>smtp.office365.com</c>.</summary>
    public string SmtpHost { get; }

    /// <summary>Gets the SMTP submission port.</summary>
    public int SmtpPort { get; }

    /// <summary>Gets the SMTP connection's security.</summary>
    public SmtpSecurity SmtpSecurity { get; }

    /// <summary>Gets the provider's name for <see cref="SmtpAccountSettings.Provider"/> (its send-limit preset).</summary>
    public string SmtpProvider { get; }

    /// <summary>Gets the documentation page these facts come from.</summary>
    public string? Source { get; }

    /// <inheritdoc />
    public override string ToString() => Name;
}
