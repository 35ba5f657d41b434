namespace PetSitter.Email.Failures;

/// <summary>
/// The help-centre questions, word for word, in one table: the six of "What can go wrong with SMTP?"
/// (also the questions of a diagnosis, see <see cref="DiagnosticQuestions"/>) and the few a message-level
/// failure answers.
/// </summary>
internal static class SmtpFailureQuestions
{
    public static string For(SmtpFailureKind kind) => kind switch
    {
        SmtpFailureKind.AccountUnavailable => "Is your personal email account working?",
        SmtpFailureKind.SendLimitReached => "Does your email provider impose an email limit?",
        SmtpFailureKind.AuthenticationFailed => "Is your email password correct?",
        SmtpFailureKind.CredentialsExpired => For(SmtpFailureKind.AuthenticationFailed),
        SmtpFailureKind.Misconfigured => "Are your SMTP Configuration settings correct?",
        SmtpFailureKind.ProviderRequirementsChanged => "Has your email provider made changes to their SMTP connection requirements?",
        SmtpFailureKind.RejectedAsSpam => "Has your client marked your emails as spam or junk?",
        SmtpFailureKind.RecipientRejected => "Is the client's email address correct?",
        SmtpFailureKind.MessageRejected => "Did the email provider accept this message?",
        SmtpFailureKind.Transient => "Is your email provider reachable right now?",
        _ => "What went wrong with SMTP?",
    };
}
