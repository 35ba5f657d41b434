namespace PetSitter.Email.Providers;

/// <summary>
/// Everything the library knows of one mail provider, in one place: how to recognise it (host names,
/// banner and reply fingerprints), its send limits (the presets a <see cref="SmtpAccountSettings.Provider"/>
/// names), what it requires of a connection, and where its help pages are. Built only by
/// <see cref="SmtpProviderCatalogue"/>; limits, classification, diagnostics and telemetry all ask the catalogue.
/// </summary>
internal sealed class SmtpProvider
{
    public SmtpProvider(
        KnownSmtpProvider kind,
        string name,
        IReadOnlyList<string> hosts,
        IReadOnlyList<string> domains,
        IReadOnlyList<PresetFacts> presets,
        ProviderRequirements requirements)
    {
        Kind = kind;
        Name = name;
        Hosts = hosts;
        Domains = domains;
        Requirements = requirements;

        // A preset lists the provider's well-known hosts, so every alias of the provider carries its limits.
        Presets = [.. presets.Select(p => new ProviderPreset(p.Name, hosts, p.Limits, p.Source, p.IsVerified, p.Notes))];
    }

    /// <summary>Gets the provider's value in the rules' vocabulary.</summary>
    public KnownSmtpProvider Kind { get; }

    /// <summary>Gets the provider's name as the owner knows it, for example "Zoho Mail".</summary>
    public string Name { get; }

    /// <summary>
    /// Gets the SMTP submission hosts owners are told to use, lower case; the first is the one the provider's
    /// own instructions name. Every one resolves to this provider (the host-alias test walks them).
    /// </summary>
    public IReadOnlyList<string> Hosts { get; }

    /// <summary>
    /// Gets the domains whose sub-domains are this provider's servers (<c>contoso-com.mail.protection.outlook.com</c>
    /// is a sub-domain of <c>protection.outlook.com</c>). The longest matching domain wins across providers, so
    /// Microsoft 365's <c>protection.outlook.com</c> beats Outlook.com's <c>outlook.com</c>. A bare domain is
    /// the provider's mail domain, not an SMTP server, and matches nothing.
    /// </summary>
    public IReadOnlyList<string> Domains { get; }

    /// <summary>
    /// Gets the send-limit presets, found by name (their names are the provider's aliases in
    /// <see cref="SmtpAccountSettings.Provider"/>). The first applies when only the host is known: for Google the
    /// stricter personal Gmail, a Workspace account names "Google Workspace".
    /// </summary>
    public IReadOnlyList<ProviderPreset> Presets { get; }

    /// <summary>Gets the preset applied when the provider is recognised by its host.</summary>
    public ProviderPreset DefaultPreset => Presets[0];

    /// <summary>Gets what the provider requires of a connection (ports, TLS, sign-in, connections, announced changes).</summary>
    public ProviderRequirements Requirements { get; }

    /// <summary>Gets the provider's help pages about SMTP settings, sign-in and limits.</summary>
    public IReadOnlyList<string> HelpLinks { get; init; } = [];

    /// <summary>
    /// Gets the suffixes of server names the provider's servers give in their greeting or EHLO beyond
    /// <see cref="Domains"/> (Exchange Online's <c>*.PROD.OUTLOOK.COM</c>), compared without regard to case.
    /// </summary>
    public IReadOnlyList<string> BannerServerSuffixes { get; init; } = [];

    /// <summary>Gets the words a greeting or EHLO line of the provider ends with (Google's <c>- gsmtp</c>).</summary>
    public IReadOnlyList<string> BannerEndings { get; init; } = [];

    /// <summary>
    /// Gets the marks in a reply's text that only the provider sends (its own help links, component names), so a
    /// reply is read by its rules when neither host nor banner said; the first is quoted when none is found.
    /// </summary>
    public IReadOnlyList<string> ReplySignatures { get; init; } = [];

    /// <summary>Gets the web address where the owner signs in to the mailbox, which advice texts point to; <see langword="null"/> when none is quoted.</summary>
    public string? WebSignIn { get; init; }

    /// <summary>Gets the OAuth2 authorization endpoint for SMTP sign-in; <see langword="null"/> until the OAuth work fills it.</summary>
    public Uri? OAuthAuthorizationEndpoint { get; init; }

    /// <summary>Gets the OAuth2 token endpoint; <see langword="null"/> until the OAuth work fills it.</summary>
    public Uri? OAuthTokenEndpoint { get; init; }

    /// <summary>Gets the RFC 7009 revocation endpoint that ends a grant; <see langword="null"/> when the provider has none for refresh tokens.</summary>
    public Uri? OAuthRevocationEndpoint { get; init; }

    /// <summary>Gets the OAuth2 scopes SMTP sending needs; <see langword="null"/> until the OAuth work fills it.</summary>
    public IReadOnlyList<string>? OAuthScopes { get; init; }

    /// <summary>
    /// Gets the issuer its ID tokens carry (<c>{tenantid}</c> stands for the tenant's id in a multi-tenant
    /// issuer, as in Microsoft's discovery document); <see langword="null"/> when the provider has no OAuth facts.
    /// </summary>
    public string? OAuthIssuer { get; init; }

    /// <summary>Gets extra parameters its authorization request needs to return a refresh token (Google's <c>access_type=offline</c>).</summary>
    public IReadOnlyDictionary<string, string> OAuthAuthorizationParameters { get; init; } = new Dictionary<string, string>();

    /// <summary>Gets the documentation page the OAuth facts come from.</summary>
    public string? OAuthSource { get; init; }

    /// <summary>Gets the provider's IMAP host (for reading bounces and the sent folder); <see langword="null"/> until the IMAP work fills it.</summary>
    public string? ImapHost { get; init; }

    /// <inheritdoc />
    public override string ToString() => Name;

    /// <summary>One send-limit preset's figures and their source, before the provider's hosts are attached.</summary>
    internal sealed record PresetFacts(string Name, SendLimits Limits, string Source, bool IsVerified, string Notes);
}
