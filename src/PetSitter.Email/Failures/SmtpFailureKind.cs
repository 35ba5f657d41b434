namespace PetSitter.Email;

/// <summary>
/// What went wrong with the SMTP channel, named after the question the owner would ask
/// ("What can go wrong with SMTP?").
/// </summary>
public enum SmtpFailureKind
{
    /// <summary>"Is your personal email account working?" The mailbox is suspended, blocked, full or refusing connections.</summary>
    AccountUnavailable = 1,

    /// <summary>"Does your email provider impose an email limit?" Our own limit or the provider's quota was reached.</summary>
    SendLimitReached = 2,

    /// <summary>"Is your email password correct?" The server refused the user name or password.</summary>
    AuthenticationFailed = 3,

    /// <summary>The password or access token has expired and could not be renewed.</summary>
    CredentialsExpired = 4,

    /// <summary>"Are your SMTP Configuration settings correct?" Wrong host, port, security mode or sender address.</summary>
    Misconfigured = 5,

    /// <summary>"Has your email provider made changes to their SMTP connection requirements?" STARTTLS, app passwords, OAuth2 or a disabled sign-in method is now required.</summary>
    ProviderRequirementsChanged = 6,

    /// <summary>"Has your client marked your emails as spam or junk?" The message was refused as spam or by policy.</summary>
    RejectedAsSpam = 7,

    /// <summary>A recipient address does not exist or was refused. Concerns this message only.</summary>
    RecipientRejected = 8,

    /// <summary>The message itself was refused (too large, malformed). Concerns this message only.</summary>
    MessageRejected = 9,

    /// <summary>A temporary problem (a 4xx reply, a dropped connection before the message was accepted); worth retrying.</summary>
    Transient = 10,
}
