using System.ComponentModel.DataAnnotations;

namespace PetSitter.Email.OAuth;

/// <summary>
/// Options of the OAuth2 connection of owners' mailboxes: the app's registrations with Microsoft and Google
/// (client id and secret), any other OAuth2 provider, the key that seals the <c>state</c>, and the timings.
/// Validated when the app starts.
/// </summary>
public sealed class SmtpOAuthOptions
{
    /// <summary>The fewest bytes of <see cref="StateKey"/>: AES-256 needs 32.</summary>
    public const int MinimumStateKeyBytes = 32;

    /// <summary>
    /// Gets the Microsoft identity platform registration (multi-tenant, scopes
    /// <c>https://outlook.office.com/SMTP.Send offline_access openid email</c>). Set <see cref="SmtpOAuthProviderOptions.ClientId"/>
    /// and <see cref="SmtpOAuthProviderOptions.ClientSecret"/> to offer "Connect Microsoft 365"; leave the client id empty to offer nothing.
    /// </summary>
    public SmtpOAuthProviderOptions Microsoft { get; } = SmtpOAuthProviderOptions.From(SmtpOAuthProviders.Microsoft365);

    /// <summary>Gets the Google registration (scopes <c>https://mail.google.com/ openid email</c>); leave the client id empty to offer nothing.</summary>
    public SmtpOAuthProviderOptions Google { get; } = SmtpOAuthProviderOptions.From(SmtpOAuthProviders.Google);

    /// <summary>Gets other OAuth2 providers whose SMTP servers accept XOAUTH2, each with every endpoint and scope set.</summary>
    public IList<SmtpOAuthProviderOptions> Others { get; } = [];

    /// <summary>
    /// Gets or sets the key that seals the <c>state</c> parameter (AES-256-GCM: tamper-proof and unreadable outside the
    /// app), base64, at least <see cref="MinimumStateKeyBytes"/> bytes; every instance of the app needs the same key.
    /// Required. Generate one with <c>openssl rand -base64 32</c> and keep it with the app's other secrets.
    /// </summary>
    [Required]
    public string? StateKey { get; set; }

    /// <summary>Gets or sets how long the owner has from "Connect" to the callback. Default: 10 minutes.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "01:00:00")]
    public TimeSpan StateLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Gets or sets how long one token request may take before the token endpoint counts as down. Default: 10 seconds.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:02:00")]
    public TimeSpan TokenRequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Gets or sets how long before its expiry an access token is refreshed, so no token expires on the way to the
    /// SMTP server. Default: 5 minutes.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:30:00")]
    public TimeSpan RefreshBeforeExpiry { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets every provider with a client id, Microsoft and Google first.</summary>
    internal IEnumerable<SmtpOAuthProviderOptions> Configured =>
        new[] { Microsoft, Google }.Concat(Others).Where(static p => !string.IsNullOrWhiteSpace(p.ClientId));

    /// <summary>Finds a configured provider by name, ignoring case.</summary>
    internal SmtpOAuthProviderOptions? Find(string name) =>
        Configured.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
}

/// <summary>
/// One OAuth2 provider as data: the app's registration (client id and secret) and the provider's endpoints,
/// scopes and SMTP server. Microsoft's and Google's come filled from the library's provider catalogue.
/// </summary>
public sealed class SmtpOAuthProviderOptions
{
    /// <summary>Gets or sets the provider's name, which grants and authorization requests carry, for example <c>Microsoft 365</c>.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>Gets or sets the app's client (application) id at the provider.</summary>
    public string? ClientId { get; set; }

    /// <summary>Gets or sets the app's client secret; never logged, never in an exception or <c>ToString()</c>.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>Gets or sets the authorization endpoint the owner's browser is sent to.</summary>
    public Uri? AuthorizationEndpoint { get; set; }

    /// <summary>Gets or sets the token endpoint.</summary>
    public Uri? TokenEndpoint { get; set; }

    /// <summary>
    /// Gets or sets the RFC 7009 revocation endpoint a disconnect sends the refresh token to (Google's); leave it
    /// <see langword="null"/> for a provider without one (the Microsoft identity platform has none for refresh tokens).
    /// </summary>
    public Uri? RevocationEndpoint { get; set; }

    /// <summary>Gets or sets the issuer its ID tokens carry; <c>{tenantid}</c> stands for the token's <c>tid</c> claim.</summary>
    public string? Issuer { get; set; }

    /// <summary>Gets the scopes asked for: the SMTP scope, a scope that returns a refresh token where needed, and <c>openid email</c>.</summary>
    public IList<string> Scopes { get; } = [];

    /// <summary>Gets extra authorization-request parameters (Google's <c>access_type=offline</c>).</summary>
    public IDictionary<string, string> AuthorizationParameters { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Gets or sets the SMTP host the connected mailbox sends through.</summary>
    public string? SmtpHost { get; set; }

    /// <summary>Gets or sets the SMTP port. Default: 587.</summary>
    public int SmtpPort { get; set; } = 587;

    /// <summary>Gets or sets the SMTP connection's security. Default: <see cref="SmtpSecurity.StartTls"/>.</summary>
    public SmtpSecurity SmtpSecurity { get; set; } = SmtpSecurity.StartTls;

    /// <summary>Gets or sets the provider's name for <see cref="SmtpAccountSettings.Provider"/> (its send limits), if the catalogue knows it.</summary>
    public string? SmtpProvider { get; set; }

    /// <summary>Fills a provider's options from the catalogue's facts; the client id and secret stay empty.</summary>
    /// <param name="info">The provider's facts, from <see cref="SmtpOAuthProviders"/>.</param>
    /// <returns>The options.</returns>
    public static SmtpOAuthProviderOptions From(SmtpOAuthProviderInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        var options = new SmtpOAuthProviderOptions
        {
            Name = info.Name,
            AuthorizationEndpoint = info.AuthorizationEndpoint,
            TokenEndpoint = info.TokenEndpoint,
            RevocationEndpoint = info.RevocationEndpoint,
            Issuer = info.Issuer,
            SmtpHost = info.SmtpHost,
            SmtpPort = info.SmtpPort,
            SmtpSecurity = info.SmtpSecurity,
            SmtpProvider = info.SmtpProvider,
        };
        foreach (var scope in info.Scopes)
        {
            options.Scopes.Add(scope);
        }

        foreach (var (key, value) in info.AuthorizationParameters)
        {
            options.AuthorizationParameters[key] = value;
        }

        return options;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name} (client {ClientId ?? "not set"})";
}
