namespace PetSitter.Email.Diagnostics;

/// <summary>
/// What a known provider requires of an SMTP connection, beyond what its server says in EHLO: how it
/// wants you to sign in, which ports and security modes it serves, and changes it has announced.
/// Each provider's requirements are part of its <see cref="SmtpProvider"/> record in the provider catalogue.
/// </summary>
/// <param name="Name">The provider's name as the owner knows it.</param>
/// <param name="SignIn">How the provider lets SMTP clients sign in, as a sentence fragment.</param>
/// <param name="Endpoints">The port and security pairs the provider serves.</param>
internal sealed record ProviderRequirements(string Name, string SignIn, IReadOnlyList<(int Port, SmtpSecurity Security)> Endpoints)
{
    /// <summary>Gets whether the provider refuses every password (OAuth2 only), so a password can never work.</summary>
    public bool RefusesPasswords { get; init; }

    /// <summary>Gets the most connections the provider accepts at once per mailbox, when it publishes one.</summary>
    public int? MaxConnections { get; init; }

    /// <summary>Gets a change the provider has announced that will stop today's settings working, with the owner's way out.</summary>
    public string? AnnouncedChange { get; init; }

    /// <summary>Gets whether the From address's domain must be the signed-in account's own.</summary>
    public bool FromMustMatchAccount { get; init; }

    /// <summary>Returns the requirements of <paramref name="provider"/>, or <see langword="null"/> when none are known.</summary>
    public static ProviderRequirements? For(KnownSmtpProvider provider) => SmtpProviderCatalogue.Find(provider)?.Requirements;

    /// <summary>Describes the endpoints, for example "port 465 with SSL/TLS or port 587 with STARTTLS".</summary>
    public string DescribeEndpoints() =>
        string.Join(" or ", Endpoints.Select(e => $"port {e.Port} with {SecurityNames.ForOwner(e.Security)}"));

    /// <summary>Whether the provider serves <paramref name="security"/> on <paramref name="port"/>.</summary>
    public bool Serves(int port, SmtpSecurity security) => Endpoints.Any(e => e.Port == port && e.Security == security);
}
