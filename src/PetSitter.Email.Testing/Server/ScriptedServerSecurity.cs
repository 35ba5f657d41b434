namespace PetSitter.Email.Testing;

/// <summary>How a <see cref="ScriptedSmtpServer"/> secures its connections.</summary>
public enum ScriptedServerSecurity
{
    /// <summary>No TLS at all; AUTH is offered on the plain connection (a server on a trusted network).</summary>
    None = 0,

    /// <summary>
    /// STARTTLS is offered; AUTH is offered only after it (like smtp.gmail.com:587) and answered
    /// <c>530 5.7.0 Must issue a STARTTLS command first</c> before it. Mail without TLS is accepted.
    /// </summary>
    StartTls = 1,

    /// <summary>
    /// Like <see cref="StartTls"/>, and MAIL FROM before STARTTLS is answered
    /// <c>530 5.7.0 Must issue a STARTTLS command first</c> too (RFC 3207's "TLS required").
    /// </summary>
    StartTlsRequired = 2,

    /// <summary>TLS from the first byte, as on port 465.</summary>
    ImplicitTls = 3,
}
