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
        provider.OAuthSource,
        provider.OAuthRevocationEndpoint);
}
