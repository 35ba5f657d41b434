namespace PetSitter.Email;

/// <summary>
/// The questions of "What can go wrong with SMTP?" that a diagnosis answers, one
/// <see cref="DiagnosticFinding"/> each, in the order the article asks them.
/// </summary>
public enum DiagnosticCheck
{
    /// <summary>"Is your personal email account working?" The server answers, greets and keeps the connection.</summary>
    AccountWorking = 1,

    /// <summary>"Does your email provider impose an email limit?" The provider's known limits, and whether it says one is reached.</summary>
    SendLimits = 2,

    /// <summary>"Is your email password correct?" The server accepts the user name and password.</summary>
    Password = 3,

    /// <summary>"Are your SMTP Configuration settings correct?" Host, port, security mode, certificate and From address.</summary>
    Settings = 4,

    /// <summary>"Has your email provider made changes to their SMTP connection requirements?" STARTTLS, sign-in methods and the provider's known rules.</summary>
    ProviderRequirements = 5,

    /// <summary>"Has your client marked your emails as spam or junk?" Only a real test message can show a spam refusal.</summary>
    SpamReputation = 6,
}
