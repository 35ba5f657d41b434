using System.Collections.ObjectModel;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace PetSitter.Email;

/// <summary>
/// A business's own SMTP mailbox: where to connect, how to sign in and which address to send from.
/// </summary>
/// <remarks>
/// The password is never shown by <see cref="ToString"/>. The library does not store it: the app
/// returns it from its <see cref="IBusinessEmailSettingsProvider"/> each time.
/// </remarks>
public sealed class SmtpAccountSettings
{
    // Settings are immutable once built, so what the send path derives from them (resolved limits, validation,
    // fingerprints, limit key) is computed once per instance rather than on every send.
    private SendLimits? _effectiveLimits;
    private string? _settingsFingerprint;
    private string? _credentialFingerprint;
    private string? _limitKey;
    private Validation? _validated;

    // The send-limit code's per-instance caches (Limits/), so a check hashes no key and looks up no share once the
    // instance is known: the account's cells in the in-memory quota store that claimed the instance first (its id), and
    // marketing's share of the limits.
    internal long QuotaStoreId;
    internal ushort[]? QuotaCells;
    internal MarketingLimits? MarketingLimits;

    /// <summary>Gets the SMTP server's host name, for example <c>smtp.gmail.com</c>. Required.</summary>
    public string Host { get; init; } = string.Empty;

    /// <summary>Gets the server's port. Default: 587.</summary>
    public int Port { get; init; } = 587;

    /// <summary>Gets how the connection is secured. Default: <see cref="SmtpSecurity.Auto"/>.</summary>
    public SmtpSecurity Security { get; init; } = SmtpSecurity.Auto;

    /// <summary>Gets the user name to sign in with, or <see langword="null"/> to send without signing in. Default: <see langword="null"/>.</summary>
    public string? UserName { get; init; }

    /// <summary>
    /// Gets the password (or app password) to sign in with. Never logged or shown. With a <see cref="UserName"/>,
    /// set either this or <see cref="AccessTokenProvider"/>. Default: <see langword="null"/>.
    /// </summary>
    public string? Password { get; init; }

    /// <summary>
    /// Gets what supplies OAuth2 access tokens when the account signs in with XOAUTH2 (Gmail, Microsoft 365)
    /// instead of a password. With a <see cref="UserName"/>, set either this or <see cref="Password"/>.
    /// Default: <see langword="null"/> (sign in with the password).
    /// </summary>
    public ISmtpAccessTokenProvider? AccessTokenProvider { get; init; }

    /// <summary>
    /// Gets an identifier of the owner's current OAuth2 grant, never a token: for example when they last
    /// connected the account, or the id of the stored refresh token. Change it when the owner reconnects the
    /// account: the library then sees new credentials, so an account paused because its sign-in expired is
    /// tried again at once. Default: <see langword="null"/>.
    /// </summary>
    public string? AccessTokenGrantId { get; init; }

    /// <summary>Gets the address mail is sent from, for example <c>hello@pawsandclaws.example</c>. Required.</summary>
    public string FromAddress { get; init; } = string.Empty;

    /// <summary>
    /// Gets whether signing in over an unencrypted connection is allowed. Only for servers on a trusted
    /// network. Default: <see langword="false"/>.
    /// </summary>
    public bool AllowAuthenticationWithoutTls { get; init; }

    /// <summary>
    /// Gets extra certificate authorities trusted for this account only (a private CA). Certificates are
    /// always validated; this adds roots, it never turns validation off. Default: none.
    /// </summary>
    public IReadOnlyList<X509Certificate2> TrustedCertificateAuthorities { get; init; } = [];

    /// <summary>
    /// Gets the most connections kept open to this account's server at once, or <see langword="null"/>
    /// for the library-wide default (<see cref="SmtpTransportOptions.MaxConnectionsPerAccount"/>). Default: <see langword="null"/>.
    /// </summary>
    public int? MaxConnections { get; init; }

    /// <summary>
    /// Gets the name of the provider preset whose send limits apply (see <see cref="ProviderPresets.Names"/>,
    /// for example <c>Google Workspace</c>), or <see langword="null"/> to detect it from <see cref="Host"/>.
    /// Gmail and Google Workspace share a host: detection picks Gmail, so a Workspace account names its
    /// preset. <c>Custom</c> applies no preset. Default: <see langword="null"/>.
    /// </summary>
    public string? Provider { get; init; }

    /// <summary>
    /// Gets limits that override the preset's, field by field: each field set here replaces the preset's
    /// value, each field left <see langword="null"/> keeps it. Default: <see langword="null"/> (the preset as it is).
    /// </summary>
    public SendLimits? Limits { get; init; }

    /// <summary>
    /// Gets this business's override of <see cref="SendLimitOptions.MarketingSharePercent"/>: the percentage of each
    /// hour and day limit marketing may use, the rest kept for quotes and invoices; 100 turns the reserve off.
    /// Range 1 - 100, or <see langword="null"/> for the library-wide value. Default: <see langword="null"/>.
    /// </summary>
    public int? MarketingSharePercent { get; init; }

    /// <summary>
    /// Gets this business's override of <see cref="SendLimitOptions.MarketingWarmUpFirstDay"/>: how many messages the
    /// mailbox may send on its first day with marketing, doubling every day; 0 turns the warm-up off (a mailbox
    /// that has long sent in bulk). Range 0 - 1,000,000, or <see langword="null"/> for the library-wide value.
    /// Default: <see langword="null"/>.
    /// </summary>
    public int? MarketingWarmUpFirstDay { get; init; }

    /// <summary>Gets the security mode actually used: <see cref="SmtpSecurity.Auto"/> resolved by port.</summary>
    public SmtpSecurity EffectiveSecurity => Security switch
    {
        SmtpSecurity.Auto => Port == 465 ? SmtpSecurity.ImplicitTls : SmtpSecurity.StartTls,
        _ => Security,
    };

    /// <summary>
    /// Checks the account's settings and returns one message per problem, each naming the field and
    /// the fix. An empty list means the settings are usable.
    /// </summary>
    /// <param name="prefix">A prefix for field names, for example <c>Smtp.</c>.</param>
    /// <returns>The problems found; empty when there are none.</returns>
    public IReadOnlyList<string> Validate(string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(prefix);
        // One reference, so a reader never sees one prefix with another prefix's errors.
        var cached = _validated;
        if (cached is not null && string.Equals(cached.Prefix, prefix, StringComparison.Ordinal))
        {
            return cached.Errors;
        }

        var errors = Check(prefix);
        _validated = new Validation(prefix, errors);
        return errors;
    }

    /// <summary>The work of <see cref="Validate"/>: an empty array (no allocation) when the settings are usable.</summary>
    private ReadOnlyCollection<string> Check(string prefix)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Host))
        {
            errors.Add($"{prefix}{nameof(Host)} is empty: set the SMTP server's host name, for example {SmtpProviderCatalogue.GmailSmtpHost}.");
        }
        else if (Uri.CheckHostName(Host.Trim()) == UriHostNameType.Unknown)
        {
            errors.Add($"{prefix}{nameof(Host)} '{Host}' is not a host name: set the SMTP server's host name, for example {SmtpProviderCatalogue.GmailSmtpHost}.");
        }

        if (Port is < 1 or > 65535)
        {
            errors.Add($"{prefix}{nameof(Port)} {Port} is out of range: use 1-65535 (usually 587 for STARTTLS or 465 for implicit TLS).");
        }

        if (!Enum.IsDefined(Security))
        {
            errors.Add($"{prefix}{nameof(Security)} '{(int)Security}' is not a security mode: use Auto, ImplicitTls, StartTls or None.");
        }

        if (!EmailAddressRules.IsMailbox(FromAddress))
        {
            errors.Add($"{prefix}{nameof(FromAddress)} '{FromAddress}' is not an email address: set the mailbox's address, for example hello@pawsandclaws.example.");
        }

        CheckCredentials(prefix, errors);

        if (MaxConnections is < 1 or > 100)
        {
            errors.Add($"{prefix}{nameof(MaxConnections)} {MaxConnections} is out of range: use 1-100, or leave it unset for the default.");
        }

        if (Provider is not null && ProviderPresets.Find(Provider) is null)
        {
            errors.Add($"{prefix}{nameof(Provider)} '{Provider}' is not a known provider: use one of {string.Join(", ", ProviderPresets.Names)}, or leave it unset to detect it from the host.");
        }

        if (MarketingSharePercent is < 1 or > 100)
        {
            errors.Add($"{prefix}{nameof(MarketingSharePercent)} {MarketingSharePercent} is out of range: use 1-100 (100 lets marketing use the whole limit), or leave it unset for the library-wide share.");
        }

        if (MarketingWarmUpFirstDay is < 0 or > SendLimits.MaxLimit)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{prefix}{nameof(MarketingWarmUpFirstDay)} {MarketingWarmUpFirstDay} is out of range: use 0-{SendLimits.MaxLimit} (0 turns the warm-up off), or leave it unset for the library-wide value."));
        }

        errors.AddRange(EffectiveLimits().Validate($"{prefix}{nameof(Limits)}."));
        return errors.Count == 0 ? ReadOnlyCollection<string>.Empty : errors.AsReadOnly();
    }

    /// <summary>With a user name exactly one way to sign in (password or access tokens); without one, neither.</summary>
    private void CheckCredentials(string prefix, List<string> errors)
    {
        var hasPassword = !string.IsNullOrEmpty(Password);
        var hasTokens = AccessTokenProvider is not null;
        if (string.IsNullOrEmpty(UserName))
        {
            if (hasPassword)
            {
                errors.Add($"{prefix}{nameof(UserName)} is empty but a password is set: set the user name (usually the email address) or remove the password.");
            }

            if (hasTokens)
            {
                errors.Add($"{prefix}{nameof(UserName)} is empty but an access token provider is set: set the user name (the mailbox's address, which XOAUTH2 signs in as) or remove {prefix}{nameof(AccessTokenProvider)}.");
            }
        }
        else if (hasPassword && hasTokens)
        {
            errors.Add($"{prefix}{nameof(Password)} and {prefix}{nameof(AccessTokenProvider)} are both set: remove the password to sign in with OAuth2 (XOAUTH2), or remove the access token provider to sign in with the password.");
        }
        else if (!hasPassword && !hasTokens)
        {
            errors.Add($"{prefix}{nameof(Password)} is empty but a user name is set: set the password (or app password), or set {prefix}{nameof(AccessTokenProvider)} to sign in with OAuth2, or remove the user name to send without signing in.");
        }

        if (AccessTokenGrantId is not null && !hasTokens)
        {
            errors.Add($"{prefix}{nameof(AccessTokenGrantId)} is set but no access token provider is: set {prefix}{nameof(AccessTokenProvider)}, or remove the grant id.");
        }
    }

    /// <summary>Gets whether the account signs in with OAuth2 access tokens (XOAUTH2) rather than a password.</summary>
    internal bool UsesAccessTokens => AccessTokenProvider is not null;

    /// <summary>
    /// What stands for the OAuth2 credential in fingerprints: the provider's type and the app's grant id,
    /// never a token (tokens change every hour without the owner doing anything).
    /// </summary>
    private string? AccessTokenIdentity() =>
        AccessTokenProvider is null ? null : $"oauth2:{AccessTokenProvider.GetType().FullName}:{AccessTokenGrantId}";

    /// <summary>
    /// The limits that apply: the named preset (or the one detected from the host, if any) with
    /// <see cref="Limits"/> laid over it field by field. An unknown preset name contributes nothing
    /// (<see cref="Validate"/> reports it).
    /// </summary>
    internal SendLimits EffectiveLimits() => _effectiveLimits ??= ResolvePreset()?.Limits.WithOverrides(Limits) ?? Limits ?? SendLimits.None;

    /// <summary>The preset that applies: the one named by <see cref="Provider"/>, else the one the host identifies.</summary>
    internal ProviderPreset? ResolvePreset() => Provider is null ? ProviderPresets.Detect(Host) : ProviderPresets.Find(Provider);

    /// <summary>
    /// A fingerprint of the sign-in details (host, port, user name, password or OAuth2 grant), so a change of stored
    /// credentials can be noticed without keeping the password. Not reversible.
    /// </summary>
    internal string CredentialFingerprint() => _credentialFingerprint ??= ComputeCredentialFingerprint();

    /// <summary>The key send limits are counted under: the mailbox (host and user name), whichever business uses it.</summary>
    internal string LimitKey() => _limitKey ??=
        string.Concat(Host.Trim().ToUpperInvariant(), ":", (UserName ?? FromAddress).Trim().ToUpperInvariant());

    private string ComputeCredentialFingerprint()
    {
        var material = $"{Host}\n{Port}\n{UserName}\n{Password}\n{AccessTokenIdentity()}";
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(material), hash);
        return Convert.ToHexString(hash[..8]);
    }

    /// <summary>
    /// A fingerprint of everything an owner may correct after a failure: the sign-in details and also the
    /// security mode, plain-auth permission, trusted authorities, From address, connection cap, provider and
    /// limits. The account's breaker and its lane are keyed by it, so saving any corrected setting (the advice
    /// names the security setting or the From address as often as the password) lets the next message try at
    /// once. Not reversible.
    /// </summary>
    internal string SettingsFingerprint() => _settingsFingerprint ??= Hash(string.Join(
        '\n',
        Host,
        Port.ToString(CultureInfo.InvariantCulture),
        Security.ToString(),
        UserName,
        Password,
        AccessTokenIdentity(),
        FromAddress,
        AllowAuthenticationWithoutTls ? "plain-auth" : "tls-auth",
        CertificateThumbprints.Of(TrustedCertificateAuthorities),
        MaxConnections?.ToString(CultureInfo.InvariantCulture),
        Provider,
        EffectiveLimits().ToString()));

    private static string Hash(string material)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(material), hash);
        return Convert.ToHexString(hash[..8]);
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"{Host}:{Port} ({EffectiveSecurity}), user {(UserName is null ? "(none)" : UserName)}, {(AccessTokenProvider is null ? $"password {(Password is null ? "(none)" : "***")}" : "OAuth2 access token")}, from {FromAddress}";

    private sealed record Validation(string Prefix, IReadOnlyList<string> Errors);
}
