namespace PetSitter.Email;

/// <summary>How the connection to an SMTP server is secured.</summary>
/// <remarks>
/// Unlike MailKit's <c>SecureSocketOptions.Auto</c>, <see cref="Auto"/> never falls back to an
/// unencrypted connection: a server that stops offering STARTTLS is reported, not trusted.
/// </remarks>
public enum SmtpSecurity
{
    /// <summary>Implicit TLS on port 465, STARTTLS (required) on any other port.</summary>
    Auto = 0,

    /// <summary>TLS from the first byte (usually port 465).</summary>
    ImplicitTls = 1,

    /// <summary>A plain connection upgraded with STARTTLS, which the server must offer (usually port 587).</summary>
    StartTls = 2,

    /// <summary>
    /// No encryption. Only for servers on a trusted network; authentication over such a connection
    /// also needs <see cref="SmtpAccountSettings.AllowAuthenticationWithoutTls"/>.
    /// </summary>
    None = 3,
}
