namespace PetSitter.Email.Failures;

/// <summary>What kind of error, other than the server's reply, lies under an <see cref="SmtpTransportException"/>.</summary>
internal enum SmtpFailureCause
{
    /// <summary>No telling exception: the failure is the server's reply alone.</summary>
    None = 0,

    /// <summary>The host name did not resolve.</summary>
    HostNotFound,

    /// <summary>Nothing listens on that port (a TCP reset on connect).</summary>
    ConnectionRefused,

    /// <summary>Refused on connect by a host and port that accepted a connection earlier in this process: a restart or outage, not a wrong port.</summary>
    RefusedAfterAnswering,

    /// <summary>A connect, read or write timed out (including a timeout surfaced as a cancellation).</summary>
    Timeout,

    /// <summary>The TLS handshake failed for a reason other than the certificate (wrong mode for the port, protocol mismatch).</summary>
    TlsHandshake,

    /// <summary>The server's certificate was not trusted (untrusted root, expired, wrong name).</summary>
    TlsCertificate,

    /// <summary>MailKit refused because the server lacks something required (STARTTLS, AUTH, SMTPUTF8).</summary>
    NotSupported,

    /// <summary>Signing in failed with no reply code to go on (a SASL failure, or every mechanism refused).</summary>
    Authentication,

    /// <summary>The server wanted a signed-in session for MAIL/RCPT/DATA.</summary>
    NotAuthenticated,

    /// <summary>No usable OAuth2 access token: the app's provider could not supply one, or the server refused a refreshed one.</summary>
    AccessToken,

    /// <summary>The app's token provider could not reach the authorization server for now (<see cref="SmtpAccessTokenUnavailableException"/>).</summary>
    AccessTokenUnavailable,

    /// <summary>The server dropped the connection.</summary>
    Disconnected,

    /// <summary>Another socket or stream error.</summary>
    NetworkError,
}
