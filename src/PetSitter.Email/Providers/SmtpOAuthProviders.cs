namespace PetSitter.Email;

/// <summary>
/// The OAuth2 facts of the providers whose mailboxes sign in to SMTP with XOAUTH2 (endpoints, scopes, issuer,
/// SMTP server), read from the library's provider catalogue, the one home of provider facts. The
/// <c>PetSitter.Email.OAuth</c> package builds its "Connect with Microsoft 365 / Google" flow on these.
/// </summary>
public static class SmtpOAuthProviders
{
    /// <summary>The name of the Microsoft identity platform provider (Microsoft 365 work and school mailboxes).</summary>
    public const string MicrosoftName = "Microsoft 365";

    /// <summary>The name of the Google provider (Gmail and Google Workspace).</summary>
    public const string GoogleName = "Google";

    /// <summary>Gets the Microsoft identity platform, multi-tenant, with the scopes <c>https://outlook.office.com/SMTP.Send offline_access openid email</c>.</summary>
    public static SmtpOAuthProviderInfo Microsoft365 { get; } = From(MicrosoftName, SmtpProviderCatalogue.Microsoft365, SmtpSecurity.StartTls, 587);

    /// <summary>Gets Google, with the scopes <c>https://mail.google.com/ openid email</c>.</summary>
    public static SmtpOAuthProviderInfo Google { get; } = From(GoogleName, SmtpProviderCatalogue.Google, SmtpSecurity.StartTls, 587);

    /// <summary>Gets every provider the catalogue has OAuth2 facts for.</summary>
    public static IReadOnlyList<SmtpOAuthProviderInfo> All { get; } = [Microsoft365, Google];

    /// <summary>Finds a provider by its <see cref="SmtpOAuthProviderInfo.Name"/>, ignoring case.</summary>
    /// <param name="name">The provider's name, for example <c>Microsoft 365</c>.</param>
    /// <returns>The provider, or <see langword="null"/> when the catalogue has no OAuth2 facts under that name.</returns>
    public static SmtpOAuthProviderInfo? Find(string? name) =>
        All.FirstOrDefault(p => string.Equals(p.Name, name?.Trim(), StringComparison.OrdinalIgnoreCase));

    private static SmtpOAuthProviderInfo From(string name, SmtpProvider provider, SmtpSecurity security, int port) => new(
        name,
        provider.OAuthAuthorizationEndpoint!,
        provider.OAuthTokenEndpoint!,
        provider.OAuthIssuer!,
        provider.OAuthScopes!,
        provider.OAuthAuthorizationParameters,
        provider.Hosts[0],
        port,
        security,
        provider.Name,
        provider.OAuthSource);
}

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
        string? source)
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
    }

    /// <summary>Gets the provider's name, for example <c>Microsoft 365</c>.</summary>
    public string Name { get; }

    /// <summary>Gets the authorization endpoint the owner's browser is sent to.</summary>
    public Uri AuthorizationEndpoint { get; }

    /// <summary>Gets the token endpoint that exchanges the code and refreshes access tokens.</summary>
    public Uri TokenEndpoint { get; }

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
