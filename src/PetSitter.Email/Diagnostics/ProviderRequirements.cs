namespace PetSitter.Email;

/// <summary>
/// What a known provider requires of an SMTP connection, beyond what its server says in EHLO: how it
/// wants you to sign in, which ports and security modes it serves, and changes it has announced.
/// Facts from shared/providers.md; send limits are not here.
/// </summary>
/// <param name="Name">The provider's name as the owner knows it.</param>
/// <param name="SignIn">How the provider lets SMTP clients sign in, as a sentence fragment.</param>
/// <param name="Endpoints">The port and security pairs the provider serves.</param>
internal sealed record ProviderRequirements(string Name, string SignIn, IReadOnlyList<(int Port, SmtpSecurity Security)> Endpoints)
{
    private static readonly (int, SmtpSecurity)[] Both = [(465, SmtpSecurity.ImplicitTls), (587, SmtpSecurity.StartTls)];
    private static readonly (int, SmtpSecurity)[] StartTlsOnly = [(587, SmtpSecurity.StartTls)];
    private static readonly (int, SmtpSecurity)[] ImplicitOnly = [(465, SmtpSecurity.ImplicitTls)];

    /// <summary>Gets whether the provider refuses every password (OAuth2 only), so a password can never work.</summary>
    public bool RefusesPasswords { get; init; }

    /// <summary>Gets the most connections the provider accepts at once per mailbox, when it publishes one.</summary>
    public int? MaxConnections { get; init; }

    /// <summary>Gets a change the provider has announced that will stop today's settings working, with the owner's way out.</summary>
    public string? AnnouncedChange { get; init; }

    /// <summary>Gets whether the From address's domain must be the signed-in account's own.</summary>
    public bool FromMustMatchAccount { get; init; }

    /// <summary>Returns the requirements of <paramref name="provider"/>, or <see langword="null"/> when none are known.</summary>
    public static ProviderRequirements? For(KnownSmtpProvider provider) => provider switch
    {
        KnownSmtpProvider.Gmail => new("Gmail", "an app password (which needs 2-Step Verification) or signing in with Google (OAuth2); the ordinary Google password stopped working for SMTP on 2022-05-30", Both),
        KnownSmtpProvider.Microsoft365 => new("Microsoft 365", "SMTP AUTH turned on for the mailbox (it is off by default for organisations created after January 2020)", StartTlsOnly)
        {
            MaxConnections = 3,
            AnnouncedChange = "Microsoft turns off signing in to SMTP with a password (basic authentication) by default at the end of December 2026 and plans to remove it in the second half of 2027: plan the move to Microsoft sign-in (OAuth2), or ask your administrator how long SMTP AUTH with a password stays allowed.",
        },
        KnownSmtpProvider.OutlookCom => new("Outlook.com", "Microsoft sign-in (OAuth2) only: passwords and app passwords stopped working for SMTP on 2024-09-16", StartTlsOnly)
        {
            RefusesPasswords = true,
        },
        KnownSmtpProvider.Yahoo => new("Yahoo", "an app password or OAuth2, not the account's normal password", Both),
        KnownSmtpProvider.Aol => new("AOL", "an app password or OAuth2, not the account's normal password", ImplicitOnly),
        KnownSmtpProvider.ICloud => new("iCloud Mail", "an app-specific password (which needs two-factor authentication)", StartTlsOnly),
        KnownSmtpProvider.Zoho => new("Zoho Mail", "the account password, or an app password when two-factor authentication is on", Both),
        KnownSmtpProvider.Fastmail => new("Fastmail", "an app password (the account password is refused)", ImplicitOnly),
        KnownSmtpProvider.GoDaddy => new("GoDaddy Workspace Email", "the mailbox password", ImplicitOnly),
        KnownSmtpProvider.Ionos => new("IONOS", "the mailbox password, with a From address of the account's own domain (since 2024-01-29)", Both)
        {
            FromMustMatchAccount = true,
        },
        KnownSmtpProvider.Titan => new("Titan", "the mailbox password, or an app password when two-factor authentication is on", Both),
        _ => null,
    };

    /// <summary>Describes the endpoints, for example "port 465 with SSL/TLS or port 587 with STARTTLS".</summary>
    public string DescribeEndpoints() =>
        string.Join(" or ", Endpoints.Select(e => $"port {e.Port} with {SecurityNames.ForOwner(e.Security)}"));

    /// <summary>Whether the provider serves <paramref name="security"/> on <paramref name="port"/>.</summary>
    public bool Serves(int port, SmtpSecurity security) => Endpoints.Any(e => e.Port == port && e.Security == security);
}
