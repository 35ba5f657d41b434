using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using TlsAuthenticationException = System.Security.Authentication.AuthenticationException;

namespace PetSitter.Email.Tests.Failures;

/// <summary>
/// A server reply and what it must be classified as. ResetsAfterMinutes is the quota window the reply
/// implies (null when it is not a quota); AdviceMentions a fragment the owner's advice must contain.
/// </summary>
public sealed record ReplyExample(
    string Reply, int Code, SmtpStage Stage, string? Host,
    SmtpFailureKind Kind, bool AccountLevel, bool Transient, double? ResetsAfterMinutes, string AdviceMentions);

/// <summary>An exception a transport would wrap, and what it must be classified as.</summary>
public sealed record ExceptionExample(
    string Name, SmtpStage Stage, int? Code, string Reply, Func<Exception?> Inner, string? Host,
    SmtpFailureKind Kind, bool AccountLevel, bool Transient, string AdviceMentions)
{
    public SmtpTransportException Create() => new(Stage, Code, Reply, Inner());
}

/// <summary>
/// The examples every classification test draws on: every reply in shared/providers.md (verbatim),
/// further replies that reach the other rows of the table, and MailKit's and the network's exceptions.
/// </summary>
public static class FailureExamples
{
    private const SmtpFailureKind Unavailable = SmtpFailureKind.AccountUnavailable;
    private const SmtpFailureKind Limit = SmtpFailureKind.SendLimitReached;
    private const SmtpFailureKind BadLogin = SmtpFailureKind.AuthenticationFailed;
    private const SmtpFailureKind Settings = SmtpFailureKind.Misconfigured;
    private const SmtpFailureKind Requirements = SmtpFailureKind.ProviderRequirementsChanged;
    private const SmtpFailureKind Spam = SmtpFailureKind.RejectedAsSpam;
    private const SmtpFailureKind Recipient = SmtpFailureKind.RecipientRejected;
    private const SmtpFailureKind Message = SmtpFailureKind.MessageRejected;
    private const SmtpFailureKind Glitch = SmtpFailureKind.Transient;

    private const string Gmail = "smtp.gmail.com";
    private const string Office365 = "smtp.office365.com";
    private const string OutlookCom = "smtp-mail.outlook.com";
    private const string Generic = "mail.pawsandclaws.example";

    private const double Day = 24 * 60;

    /// <summary>Every reply of providers.md's "Replies, by what they mean" table, as sent.</summary>
    public static IReadOnlyList<ReplyExample> ProviderReplies { get; } =
    [
        // daily quota
        new("550-5.4.5 Daily user sending limit exceeded. For more information on Gmail sending limits go to https://support.google.com/a/answer/166852 - gsmtp", 550, SmtpStage.MailFrom, Gmail, Limit, true, true, Day, "resets"),
        new("550 5.4.5 Daily sending quota exceeded", 550, SmtpStage.MailFrom, Gmail, Limit, true, true, Day, "resets"),
        new("554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException", 554, SmtpStage.Data, Office365, Limit, true, true, Day, "resets"),
        new("554 5.2.0 STOREDRV.Submission.Exception:OutboundSpamException; Failed to process message due to a permanent exception with message [BeginDiagnosticData]WASCL UserAction verdict is not None. Actual verdict is RefuseQuota, ShowTierUpgrade.", 554, SmtpStage.Data, OutlookCom, Limit, true, true, Day, "verification"),
        new("550 5.7.1 name@icloud.com: You have exceeded your daily sending limit. Please try again later.", 550, SmtpStage.RcptTo, "smtp.mail.me.com", Limit, true, true, Day, "resets"),
        // hourly quota
        new("450 Mail send limit exceeded.", 450, SmtpStage.MailFrom, "smtp.ionos.com", Limit, true, true, 60, "hour"),
        // concurrency (432 is "password transition needed" in MailKit's enum)
        new("432 4.3.2 Concurrent connections limit exceeded.", 432, SmtpStage.Greeting, Office365, Glitch, false, true, null, "retried"),
        // rate
        new("421 4.7.0 Try again later, closing connection.", 421, SmtpStage.MailFrom, Gmail, Limit, true, true, 5, "resume"),
        new("454 4.7.0 Too many login attempts, please try again later.", 454, SmtpStage.Authenticate, Gmail, Limit, true, true, 15, "old password"),
        // wrong password
        new("535-5.7.8 Username and Password not accepted. Learn more at https://support.google.com/mail/?p=BadCredentials - gsmtp", 535, SmtpStage.Authenticate, Gmail, BadLogin, true, false, null, "app password"),
        new("535 5.7.3 Authentication unsuccessful", 535, SmtpStage.Authenticate, Office365, BadLogin, true, false, null, "password"),
        new("535 5.7.139 Authentication unsuccessful, the user credentials were incorrect.", 535, SmtpStage.Authenticate, Office365, BadLogin, true, false, null, "password"),
        new("535 5.7.0 (#AUTH005) Too many bad auth attempts.", 535, SmtpStage.Authenticate, "smtp.mail.yahoo.com", BadLogin, true, false, null, "app password"),
        // app password / web sign-in required (534 is "mechanism too weak" in MailKit's enum)
        new("534-5.7.9 Application-specific password required. Learn more at https://support.google.com/mail/?p=InvalidSecondFactor", 534, SmtpStage.Authenticate, Gmail, Requirements, true, false, null, "Gmail now requires an app password"),
        new("534-5.7.14 <https://accounts.google.com/signin/continue?...> Please log in via your web browser and then try again.", 534, SmtpStage.Authenticate, Gmail, Requirements, true, false, null, "web browser"),
        new("534-5.7.9 Please log in with your web browser and then try again.", 534, SmtpStage.Authenticate, Gmail, Requirements, true, false, null, "web browser"),
        // SMTP AUTH disabled, basic auth blocked or retired
        new("535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.", 535, SmtpStage.Authenticate, Office365, Requirements, true, false, null, "SMTP AUTH"),
        new("535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox. Visit https://aka.ms/smtp_auth_disabled for more information.", 535, SmtpStage.Authenticate, Office365, Requirements, true, false, null, "SMTP AUTH"),
        new("535 5.7.139 Authentication unsuccessful, basic authentication is disabled.", 535, SmtpStage.Authenticate, Office365, Requirements, true, false, null, "OAuth"),
        new("535 5.7.139 Authentication unsuccessful, basic authentication is disabled.", 535, SmtpStage.Authenticate, OutlookCom, Requirements, true, false, null, "OAuth"),
        new("535 5.7.139 Authentication unsuccessful, user is locked by your organization's security defaults policy", 535, SmtpStage.Authenticate, Office365, Requirements, true, false, null, "administrator"),
        new("550 5.7.30 Basic authentication is not supported for Client Submission.", 550, SmtpStage.MailFrom, Office365, Requirements, true, false, null, "OAuth"),
        // not signed in; TLS required
        new("530 5.7.57 Client not authenticated to send mail", 530, SmtpStage.MailFrom, Office365, Settings, true, false, null, "sign in"),
        new("530 5.7.0 Must issue a STARTTLS command first", 530, SmtpStage.MailFrom, Gmail, Requirements, true, false, null, "STARTTLS"),
        new("530 5.7.0 Must issue a STARTTLS command first", 530, SmtpStage.Authenticate, Generic, Requirements, true, false, null, "STARTTLS"),
        // sender not allowed
        new("550 5.7.60 SMTP; Client does not have permissions to send as this sender", 550, SmtpStage.Data, Office365, Settings, true, false, null, "From address"),
        new("553 5.7.1 <addr>: Sender address rejected: not owned by user <user>", 553, SmtpStage.RcptTo, "smtp.titan.email", Settings, true, false, null, "From address"),
        new("553 Relaying disallowed as <addr>", 553, SmtpStage.MailFrom, "smtp.zoho.com", Settings, true, false, null, "From address"),
        // too many recipients: a limit on this message, not the account
        new("452 4.5.3 Your message has too many recipients. For more information regarding Google's sending limits, visit https://support.google.com/mail/answer/6592", 452, SmtpStage.RcptTo, Gmail, Limit, false, false, null, "fewer recipients"),
        new("550 5.5.3 RESOLVER.ADR.RecipLimit; too many recipients", 550, SmtpStage.RcptTo, Office365, Limit, false, false, null, "fewer recipients"),
        // too large
        new("552-5.3.4 Your message exceeded Google's message size limits.", 552, SmtpStage.Data, Gmail, Message, false, false, null, "attachments"),
        new("552 5.3.4 Message size exceeds fixed maximum message size", 552, SmtpStage.Data, Generic, Message, false, false, null, "attachments"),
        // account blocked
        new("550 5.1.8 Bad outbound sender", 550, SmtpStage.Data, Office365, Unavailable, true, false, null, "blocked"),
        new("550 5.4.6 Unusual sending activity detected. Please login to your account to unblock.", 550, SmtpStage.MailFrom, "smtp.zoho.com", Unavailable, true, false, null, "unblock"),
        // spam
        new("550-5.7.1 ... Our system has detected that this message is likely unsolicited mail.", 550, SmtpStage.Data, Gmail, Spam, false, false, null, "spam"),
        // sender mailbox full
        new("554 5.2.2 mailbox full; STOREDRV.Submission.Exception:QuotaExceededException.MapiExceptionShutoffQuotaExceeded", 554, SmtpStage.Data, Office365, Unavailable, true, false, null, "mailbox is full"),
        // temporary
        new("421 4.3.0 Temporary System Problem. Try again later", 421, SmtpStage.Greeting, Gmail, Glitch, false, true, null, "retried"),
        new("421 4.4.5 Server busy, try again later.", 421, SmtpStage.Greeting, Gmail, Glitch, false, true, null, "retried"),
        new("451 4.3.0 Mail server temporarily rejected message.", 451, SmtpStage.Data, Gmail, Glitch, false, true, null, "retried"),
        new("454 4.7.0 Cannot authenticate due to temporary system problem. Try again later.", 454, SmtpStage.Authenticate, Gmail, Glitch, false, true, null, "retried"),
        // no such recipient
        new("550-5.1.1 The email account that you tried to reach does not exist.", 550, SmtpStage.RcptTo, Gmail, Recipient, false, false, null, "client's email address"),
    ];

    /// <summary>Replies beyond providers.md that reach the table's other rows (RFC meanings, other providers, fallbacks).</summary>
    public static IReadOnlyList<ReplyExample> OtherReplies { get; } =
    [
        new("452 Too many recipients received this hour", 452, SmtpStage.RcptTo, null, Limit, false, false, null, "fewer recipients"),
        new("450 4.7.0 Message submission rate for this client has exceeded the configured limit", 450, SmtpStage.Data, Office365, Limit, true, true, 5, "slowing down"),
        new("550 Daily sending quota exceeded for this account", 550, SmtpStage.MailFrom, Generic, Limit, true, true, Day, "resets"),
        new("452 Sending quota reached for this hour", 452, SmtpStage.MailFrom, Generic, Limit, true, true, 60, "resets"),
        new("538 5.7.11 Please use a secure connection to sign in", 538, SmtpStage.Authenticate, Generic, Requirements, true, false, null, "encrypted connection"),
        new("535 5.7.0 Your password has expired", 535, SmtpStage.Authenticate, Generic, SmtpFailureKind.CredentialsExpired, true, false, null, "expired"),
        new("534 5.7.9 Authentication mechanism is too weak", 534, SmtpStage.Authenticate, Gmail, Requirements, true, false, null, "app password"),
        new("534 5.7.9 Authentication mechanism is too weak", 534, SmtpStage.Authenticate, Generic, Requirements, true, false, null, "way of signing in"),
        new("530-5.7.0 Authentication Required. Learn more at https://support.google.com/mail/?p=WantAuthError - gsmtp", 530, SmtpStage.MailFrom, Gmail, Settings, true, false, null, "sign in"),
        new("530 Access denied", 530, SmtpStage.MailFrom, Generic, Settings, true, false, null, "sign in"),
        new("554 5.7.1 <client@example.com>: Relay access denied", 554, SmtpStage.RcptTo, Generic, Settings, true, false, null, "relaying denied"),
        new("535 5.7.1 Invalid credentials", 535, SmtpStage.Authenticate, "smtp.aol.com", BadLogin, true, false, null, "app password"),
        new("535 5.7.8 Username and Password not accepted.", 535, SmtpStage.Authenticate, Gmail, BadLogin, true, false, null, "app password"),
        new("535 5.7.3 Authentication unsuccessful", 535, SmtpStage.Authenticate, OutlookCom, BadLogin, true, false, null, "OAuth"),
        new("535 Incorrect authentication data", 535, SmtpStage.Authenticate, null, BadLogin, true, false, null, "Your SMTP password appears to be wrong"),
        new("554 5.2.0 STOREDRV.Submission.Exception:OutboundSpamException; WASCL UserAction verdict is not None. Actual verdict is Suspend.", 554, SmtpStage.Data, OutlookCom, Unavailable, true, false, null, "outlook.com"),
        new("554 5.7.1 Your account has been blocked", 554, SmtpStage.MailFrom, Generic, Unavailable, true, false, null, "email client"),
        new("554 5.7.1 Your account has been blocked", 554, SmtpStage.Data, Generic, Unavailable, true, false, null, "email client"),
        new("421 4.7.1 Account suspended, contact support", 421, SmtpStage.Greeting, Generic, Unavailable, true, false, null, "email client"),
        new("552 Message size exceeds maximum permitted", 552, SmtpStage.Data, Generic, Message, false, false, null, "attachments"),
        new("452-4.2.2 The email account that you tried to reach is over quota.", 452, SmtpStage.RcptTo, Gmail, Recipient, false, true, null, "mailbox is full"),
        new("552 5.2.2 Mailbox full", 552, SmtpStage.RcptTo, Generic, Recipient, false, false, null, "mailbox is full"),
        new("550-5.2.1 The email account that you tried to reach is disabled.", 550, SmtpStage.RcptTo, Gmail, Recipient, false, false, null, "client's email address"),
        new("550-5.2.1 The user you are trying to contact is receiving mail at a rate that prevents additional messages from being delivered.", 550, SmtpStage.RcptTo, Gmail, Recipient, false, false, null, "the address is fine"),
        new("550 5.2.122 Recipient's per hour message receive limit exceeded.", 550, SmtpStage.RcptTo, Office365, Recipient, false, false, null, "in an hour or so"),
        new("550 5.1.7 Invalid sender address syntax", 550, SmtpStage.MailFrom, Generic, Settings, true, false, null, "From address"),
        new("554 5.7.1 Message rejected due to local policy", 554, SmtpStage.Data, "smtp.mail.me.com", Spam, false, false, null, "spam"),
        new("550 5.7.1 Not authorized", 550, SmtpStage.MailFrom, Generic, Settings, true, false, null, "From address"),
        new("550 5.7.1 Recipient not authorized", 550, SmtpStage.RcptTo, Generic, Recipient, false, false, null, "client's email address"),
        new("421 4.3.2 Service not available, closing transmission channel", 421, SmtpStage.Greeting, Office365, Glitch, false, true, null, "retried"),
        new("504 5.5.4 Unrecognized authentication type", 504, SmtpStage.Authenticate, Generic, Requirements, true, false, null, "way of signing in"),
        new("554 5.7.0 Transaction failed", 554, SmtpStage.Authenticate, Generic, BadLogin, true, false, null, "password"),
        new("550 5.0.0 Requested action not taken", 550, SmtpStage.MailFrom, Generic, Settings, true, false, null, "From address"),
        new("554 Transaction failed", 554, SmtpStage.Data, Generic, Message, false, false, null, "refused this message"),
        new("554 No SMTP service here", 554, SmtpStage.Greeting, Generic, Unavailable, true, false, null, "refused the connection"),
        new("501 5.5.2 Syntax error in HELO", 501, SmtpStage.Ehlo, Generic, Settings, true, false, null, "Custom SMTP Configuration"),
        new("550 5.7.1 Message accepted but not delivered", 550, SmtpStage.AfterData, Generic, Glitch, false, true, null, "not sent again"),
    ];

    /// <summary>MailKit's and the network's exceptions, wrapped as a transport would.</summary>
    public static IReadOnlyList<ExceptionExample> Exceptions { get; } =
    [
        new("MailKit AuthenticationException with the 535 command under it", SmtpStage.Authenticate, null,
            "535: 5.7.8 Username and Password not accepted. Learn more at\n5.7.8  https://support.google.com/mail/?p=BadCredentials - gsmtp",
            () => new AuthenticationException(
                "535: 5.7.8 Username and Password not accepted. Learn more at\n5.7.8  https://support.google.com/mail/?p=BadCredentials - gsmtp",
                new SmtpCommandException(SmtpErrorCode.UnexpectedStatusCode, SmtpStatusCode.AuthenticationInvalidCredentials,
                    "5.7.8 Username and Password not accepted. Learn more at\n5.7.8  https://support.google.com/mail/?p=BadCredentials - gsmtp")),
            null, BadLogin, true, false, "app password"),
        new("the library's own refusal to sign in over an unencrypted connection (Security None)", SmtpStage.Authenticate, null,
            "Signing in to mail.paws.example:25 requires TLS: refusing to send the password over an unencrypted connection; use TLS or set AllowAuthenticationWithoutTls.",
            () => null, Generic, Settings, true, false, "never sends your password over an unencrypted connection"),
        new("bare AuthenticationException on Gmail (every mechanism refused)", SmtpStage.Authenticate, null, "Authentication failed.",
            () => new AuthenticationException(), Gmail, BadLogin, true, false, "app password"),
        new("bare AuthenticationException elsewhere", SmtpStage.Authenticate, null, "Authentication failed.",
            () => new AuthenticationException(), Generic, BadLogin, true, false, "Your SMTP password appears to be wrong"),
        new("Gmail refusing a refreshed OAuth2 token", SmtpStage.Authenticate, 535,
            "5.7.8 Username and Password not accepted. Learn more at\n5.7.8 https://support.google.com/mail/?p=BadCredentials - gsmtp",
            () => new SmtpAccessTokenException("The server refused a freshly refreshed access token for owner@gmail.com.", new AuthenticationException()),
            Gmail, SmtpFailureKind.CredentialsExpired, true, false, "reconnect your email account"),
        new("no OAuth2 token to be had", SmtpStage.Authenticate, null, "No refreshed access token for owner@gmail.com could be had: the access token provider threw InvalidOperationException.",
            () => new SmtpAccessTokenException("No access token for owner@gmail.com.", new InvalidOperationException("invalid_grant")),
            Gmail, SmtpFailureKind.CredentialsExpired, true, false, "reconnect your email account"),
        // Microsoft's expired or revoked grants surface in the token endpoint's invalid_grant answer, never in a 535
        // reply (texts: https://github.com/reruin/sharelist/issues/511, https://github.com/simonrob/email-oauth2-proxy/issues/181).
        new("Microsoft refresh token expired after 90 days unused (AADSTS700082)", SmtpStage.Authenticate, null, "No refreshed access token for owner@paws.example could be had: the access token provider threw InvalidOperationException.",
            () => new SmtpAccessTokenException("No access token for owner@paws.example.", new InvalidOperationException("invalid_grant: AADSTS700082: The refresh token has expired due to inactivity. The token was issued on 2021-02-20T02:58:17.0350262Z and was inactive for 90.00:00:00.")),
            Office365, SmtpFailureKind.CredentialsExpired, true, false, "reconnect your email account"),
        new("Microsoft refresh token refused by conditional access (AADSTS70043)", SmtpStage.Authenticate, null, "No refreshed access token for owner@paws.example could be had: the access token provider threw InvalidOperationException.",
            () => new SmtpAccessTokenException("No access token for owner@paws.example.", new InvalidOperationException("invalid_grant: AADSTS70043: The refresh token has expired or is invalid due to sign-in frequency checks by conditional access.")),
            Office365, SmtpFailureKind.CredentialsExpired, true, false, "reconnect your email account"),
        // The app's token provider could not reach the token endpoint (PetSitter.Email.OAuth throws this on a 5xx, 429, network error or timeout).
        new("token endpoint unavailable", SmtpStage.Authenticate, null, "No access token for owner@gmail.com could be had for now: the authorization server was unavailable.",
            () => new SmtpAccessTokenUnavailableException("The token endpoint of Google was unavailable: HTTP 503."),
            Gmail, SmtpFailureKind.Transient, false, true, "sending will be retried"),
        new("SASL failure", SmtpStage.Authenticate, null, "Invalid SASL challenge from the server",
            () => new SaslException("XOAUTH2", SaslErrorCode.InvalidChallenge, "Invalid SASL challenge from the server"), Generic, BadLogin, true, false, "password"),
        new("AuthenticationException with only an enhanced code", SmtpStage.Authenticate, null, "5.7.8 Error: authentication failed",
            () => new AuthenticationException("5.7.8 Error: authentication failed"), Generic, BadLogin, true, false, "password"),
        new("AuthenticationException naming a too weak mechanism", SmtpStage.Authenticate, null, "5.7.9 Authentication mechanism is too weak",
            () => new AuthenticationException("5.7.9 Authentication mechanism is too weak"), Generic, Requirements, true, false, "way of signing in"),
        new("SmtpCommandException 432 from Microsoft", SmtpStage.Authenticate, 432, "4.3.2 Concurrent connections limit exceeded.",
            () => new SmtpCommandException(SmtpErrorCode.UnexpectedStatusCode, SmtpStatusCode.PasswordTransitionNeeded, "4.3.2 Concurrent connections limit exceeded."),
            Office365, Glitch, false, true, "connections"),
        new("SmtpCommandException 534 from Gmail", SmtpStage.Authenticate, 534, "5.7.9 Application-specific password required.",
            () => new SmtpCommandException(SmtpErrorCode.UnexpectedStatusCode, SmtpStatusCode.AuthenticationMechanismTooWeak, "5.7.9 Application-specific password required."),
            Gmail, Requirements, true, false, "app password"),
        new("pipelined RCPT refusal reported at MAIL FROM", SmtpStage.MailFrom, 550, "Requested action not taken: mailbox unavailable",
            () => new SmtpCommandException(SmtpErrorCode.RecipientNotAccepted, SmtpStatusCode.MailboxUnavailable, new MimeKit.MailboxAddress("Client", "nobody@example.com"), "Requested action not taken: mailbox unavailable"),
            Generic, Recipient, false, false, "client's email address"),
        new("sender refused without a stage of its own", SmtpStage.Data, null, "5.7.60 SMTP; Client does not have permissions to send as this sender",
            () => new SmtpCommandException(SmtpErrorCode.SenderNotAccepted, SmtpStatusCode.MailboxUnavailable, new MimeKit.MailboxAddress("Paws", "hello@paws.example"), "5.7.60 SMTP; Client does not have permissions to send as this sender"),
            Office365, Settings, true, false, "From address"),
        new("ServiceNotAuthenticatedException for 530 5.7.57", SmtpStage.MailFrom, null, "5.7.57 Client not authenticated to send mail",
            () => new ServiceNotAuthenticatedException("5.7.57 Client not authenticated to send mail"), Office365, Settings, true, false, "sign in"),
        new("ServiceNotAuthenticatedException for STARTTLS required", SmtpStage.MailFrom, null, "5.7.0 Must issue a STARTTLS command first",
            () => new ServiceNotAuthenticatedException("5.7.0 Must issue a STARTTLS command first"), Gmail, Requirements, true, false, "STARTTLS"),
        new("ServiceNotAuthenticatedException without a reply", SmtpStage.RcptTo, null, "",
            () => new ServiceNotAuthenticatedException("Authentication required."), Generic, Settings, true, false, "sign in"),
        new("SslHandshakeException: TLS mode wrong for the port", SmtpStage.Tls, null, "",
            () => new SslHandshakeException(
                "An error occurred while attempting to establish an SSL or TLS connection.\n\nPossible causes: a self-signed or expired certificate, a missing root certificate, mismatched TLS protocols, or a port that does not speak SSL/TLS.",
                new TlsAuthenticationException("Authentication failed, see inner exception.", new IOException("error:0A00010B:SSL routines::wrong version number"))),
            Generic, Settings, true, false, "port"),
        new("SslHandshakeException: host name mismatch", SmtpStage.Tls, null, "",
            () => new SslHandshakeException("An error occurred while attempting to establish an SSL or TLS connection.\n\nThe host name (smtp.paws.example) did not match the name given in the server's SSL certificate (mail.hosting.example)."),
            Generic, Settings, true, false, "certificate"),
        new("SslHandshakeException: untrusted root under it", SmtpStage.Tls, null, "",
            () => new SslHandshakeException("An error occurred while attempting to establish an SSL or TLS connection.",
                new TlsAuthenticationException("The remote certificate is invalid because of errors in the certificate chain: UntrustedRoot")),
            Generic, Settings, true, false, "certificate"),
        new("SslHandshakeException: server refuses our TLS version", SmtpStage.Tls, null, "",
            () => new SslHandshakeException("An error occurred while attempting to establish an SSL or TLS connection.",
                new TlsAuthenticationException("Authentication failed, see inner exception.", new IOException("error:0A00042E:SSL routines::tlsv1 alert protocol version"))),
            Generic, Requirements, true, false, "TLS"),
        new("STARTTLS not offered", SmtpStage.Ehlo, null, "The SMTP server does not support the STARTTLS extension.",
            () => new NotSupportedException("The SMTP server does not support the STARTTLS extension."), Generic, Requirements, true, false, "STARTTLS"),
        new("AUTH not offered", SmtpStage.Authenticate, null, "The SMTP server does not support authentication.",
            () => new NotSupportedException("The SMTP server does not support authentication."), Generic, Requirements, true, false, "sign in"),
        new("SMTPUTF8 needed but not offered", SmtpStage.MailFrom, null, "The SMTP server does not support the SMTPUTF8 extension.",
            () => new NotSupportedException("The SMTP server does not support the SMTPUTF8 extension."), Generic, Message, false, false, "international"),
        new("host not found", SmtpStage.Connect, null, "No such host is known.",
            () => new SocketException((int)SocketError.HostNotFound), Generic, Settings, true, false, "server name"),
        new("host not found, told only in words", SmtpStage.Connect, null, "Failed to resolve host: smtp.gmial.com", () => null, null, Settings, true, false, "server name"),
        new("connection refused", SmtpStage.Connect, null, "Connection refused",
            () => new SocketException((int)SocketError.ConnectionRefused), Generic, Settings, true, false, "port"),
        new("connection refused by a server that accepted one earlier", SmtpStage.Connect, null, "Connection refused",
            () => new SmtpServerRestartingException("smtp.example:587 refused a connection after accepting one earlier.", new SocketException((int)SocketError.ConnectionRefused)),
            Generic, SmtpFailureKind.Transient, false, true, "restarting"),
        new("connect timed out", SmtpStage.Connect, null, "Connection timed out",
            () => new SocketException((int)SocketError.TimedOut), Generic, Settings, true, true, "port"),
        new("connect cancelled by the transport's timeout", SmtpStage.Connect, null, "The operation was canceled.",
            () => new OperationCanceledException(), Generic, Settings, true, true, "port"),
        new("no greeting: STARTTLS settings against port 465", SmtpStage.Greeting, null, "The operation has timed out.",
            () => new TimeoutException(), Generic, Settings, true, true, "465"),
        new("read timed out during DATA", SmtpStage.Data, null, "Unable to read data from the transport connection: Connection timed out.",
            () => new IOException("Unable to read data from the transport connection: Connection timed out.", new SocketException((int)SocketError.TimedOut)),
            Generic, Glitch, false, true, "too long"),
        new("server dropped the connection before DATA", SmtpStage.RcptTo, null, "The SMTP server has unexpectedly disconnected.",
            () => new SmtpProtocolException("The SMTP server has unexpectedly disconnected."), Generic, Glitch, false, true, "dropped"),
        new("server dropped the connection after the message", SmtpStage.AfterData, null, "The SMTP server has unexpectedly disconnected.",
            () => new SmtpProtocolException("The SMTP server has unexpectedly disconnected."), Generic, Glitch, false, true, "may or may not"),
        new("connection reset", SmtpStage.MailFrom, null, "Connection reset by peer",
            () => new IOException("Unable to write data to the transport connection: Connection reset by peer.", new SocketException((int)SocketError.ConnectionReset)),
            Generic, Glitch, false, true, "retried"),
        new("network unreachable", SmtpStage.Connect, null, "Network is unreachable",
            () => new SocketException((int)SocketError.NetworkUnreachable), Generic, Glitch, false, true, "retried"),
        new("nothing to go on", SmtpStage.Ehlo, null, "Something went wrong.", () => new InvalidOperationException("Something went wrong."), null, Glitch, false, true, "retried"),
    ];

    public static TheoryData<string, int, SmtpStage, string?, SmtpFailureKind, bool, bool, double?, string> Rows(IReadOnlyList<ReplyExample> examples)
    {
        var data = new TheoryData<string, int, SmtpStage, string?, SmtpFailureKind, bool, bool, double?, string>();
        foreach (var e in examples)
        {
            data.Add(e.Reply, e.Code, e.Stage, e.Host, e.Kind, e.AccountLevel, e.Transient, e.ResetsAfterMinutes, e.AdviceMentions);
        }

        return data;
    }

    /// <summary>The reply as MailKit hands it on: each line without its code, under the exception it throws at that stage.</summary>
    public static SmtpTransportException AsMailKitReports(string reply, int code, SmtpStage stage)
    {
        var text = string.Join('\n', reply.Split('\n').Select(StripCode));
        Exception inner = stage switch
        {
            SmtpStage.Authenticate => new AuthenticationException($"{code}: {text}",
                new SmtpCommandException(SmtpErrorCode.UnexpectedStatusCode, (SmtpStatusCode)code, text)),
            SmtpStage.MailFrom or SmtpStage.RcptTo or SmtpStage.Data when code == 530 => new ServiceNotAuthenticatedException(text),
            SmtpStage.MailFrom => new SmtpCommandException(SmtpErrorCode.SenderNotAccepted, (SmtpStatusCode)code, new MimeKit.MailboxAddress("Paws", "hello@paws.example"), text),
            SmtpStage.RcptTo => new SmtpCommandException(SmtpErrorCode.RecipientNotAccepted, (SmtpStatusCode)code, new MimeKit.MailboxAddress("Client", "client@example.com"), text),
            SmtpStage.Data => new SmtpCommandException(SmtpErrorCode.MessageNotAccepted, (SmtpStatusCode)code, text),
            _ => new SmtpCommandException(SmtpErrorCode.UnexpectedStatusCode, (SmtpStatusCode)code, text),
        };

        // The transport passes MailKit's text on and leaves the code to be read from the exception.
        return new SmtpTransportException(stage, null, text, inner);
    }

    private static string StripCode(string line) =>
        line.Length > 4 && char.IsAsciiDigit(line[0]) && char.IsAsciiDigit(line[1]) && char.IsAsciiDigit(line[2]) && line[3] is ' ' or '-'
            ? line[4..]
            : line;
}
