namespace PetSitter.Email.Testing;

/// <summary>How a <see cref="ScriptedSmtpServer"/> is set up. What it answers is set by its <see cref="ScriptedSmtpServer.Script"/>.</summary>
public sealed class ScriptedSmtpServerOptions
{
    /// <summary>Gets how connections are secured. Default: <see cref="ScriptedServerSecurity.None"/>.</summary>
    public ScriptedServerSecurity Security { get; init; } = ScriptedServerSecurity.None;

    /// <summary>
    /// Gets the authority whose <see cref="TestCertificateAuthority.ServerCertificate"/> the server presents for
    /// TLS. Use <see cref="TestCertificateAuthority.Create"/> for a certificate the client must not trust.
    /// Default: <see cref="TestCertificateAuthority.Shared"/>.
    /// </summary>
    public TestCertificateAuthority? CertificateAuthority { get; init; }

    /// <summary>
    /// Gets the port to listen on, or 0 for a free one picked by the system. Set it to a stopped server's
    /// <see cref="ScriptedSmtpServer.Port"/> to restart that server: clients with its settings reach the new one.
    /// Default: 0.
    /// </summary>
    public int Port { get; init; }

    /// <summary>Gets the name the server gives in its greeting and EHLO reply. Default: <c>smtp.scripted.test</c>.</summary>
    public string ServerName { get; init; } = "smtp.scripted.test";

    /// <summary>
    /// Gets the only user name AUTH accepts, or <see langword="null"/> to accept any user name and password.
    /// Default: <see langword="null"/>.
    /// </summary>
    public string? UserName { get; init; }

    /// <summary>Gets the only password AUTH accepts, with <see cref="UserName"/>. Never shown. Default: <see langword="null"/>.</summary>
    public string? Password { get; init; }

    /// <summary>
    /// Gets the only OAuth2 access token AUTH XOAUTH2 accepts (for <see cref="UserName"/> when that is set), or
    /// <see langword="null"/> to offer no XOAUTH2 at all. When set, EHLO offers XOAUTH2 next to PLAIN and LOGIN,
    /// and <see cref="UserName"/> needs no <see cref="Password"/>. Never shown. Default: <see langword="null"/>.
    /// </summary>
    public string? AccessToken { get; init; }

    /// <summary>
    /// Gets the reply to an XOAUTH2 sign-in with any other token, for example
    /// <see cref="ProviderReplies.Gmail.AccessTokenRejected"/> (a 334 challenge, then 535) or
    /// <see cref="ProviderReplies.Microsoft365.AccessTokenRejected"/>. Default: <see langword="null"/>
    /// (<c>535 5.7.8 Authentication credentials invalid</c>).
    /// </summary>
    public SmtpReply? AccessTokenRejectedReply { get; init; }

    /// <summary>
    /// Gets a check of each XOAUTH2 sign-in against a real authorization server (the user name and the token;
    /// <see langword="true"/> to accept), instead of the one <see cref="AccessToken"/>: for example a JWT validated
    /// with the server's signing keys, for that mailbox and the SMTP scope. When set, EHLO offers XOAUTH2 and a
    /// refused token gets <see cref="AccessTokenRejectedReply"/>. Default: <see langword="null"/>.
    /// </summary>
    public Func<string, string, bool>? AccessTokenValidator { get; init; }

    /// <summary>Gets whether AUTH XOAUTH2 is offered (<see cref="AccessToken"/> or <see cref="AccessTokenValidator"/> is set).</summary>
    internal bool OffersXOAuth2 => AccessToken is not null || AccessTokenValidator is not null;

    /// <summary>
    /// Gets whether EHLO advertises PIPELINING, which MailKit then uses to send MAIL FROM and RCPT TO in one
    /// packet. Default: <see langword="true"/>.
    /// </summary>
    public bool AdvertisePipelining { get; init; } = true;

    /// <inheritdoc />
    public override string ToString() =>
        $"{Security}, {ServerName}, user {(UserName ?? "(any)")}, password {(Password is null ? "(any)" : "***")}{(AccessToken is null ? string.Empty : ", XOAUTH2 token ***")}";
}
