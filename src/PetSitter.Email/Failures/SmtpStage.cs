namespace PetSitter.Email;

/// <summary>The point of an SMTP conversation at which something failed.</summary>
public enum SmtpStage
{
    /// <summary>Resolving the host name or opening the TCP connection.</summary>
    Connect = 1,

    /// <summary>The TLS handshake (implicit TLS, or after STARTTLS).</summary>
    Tls = 2,

    /// <summary>The server's greeting (the 220 banner).</summary>
    Greeting = 3,

    /// <summary>EHLO/HELO and capability negotiation, including STARTTLS.</summary>
    Ehlo = 4,

    /// <summary>Signing in (AUTH).</summary>
    Authenticate = 5,

    /// <summary>MAIL FROM: the sender address.</summary>
    MailFrom = 6,

    /// <summary>RCPT TO: a recipient address.</summary>
    RcptTo = 7,

    /// <summary>DATA before the server has the whole message (the message was not accepted).</summary>
    Data = 8,

    /// <summary>After the end of the message was sent but before the server's reply: the message may or may not have been accepted.</summary>
    AfterData = 9,
}
