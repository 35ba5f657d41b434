namespace PetSitter.Email;

/// <summary>The article's questions, word for word, one per <see cref="DiagnosticCheck"/>.</summary>
internal static class DiagnosticQuestions
{
    public static string For(DiagnosticCheck check) => check switch
    {
        DiagnosticCheck.AccountWorking => "Is your personal email account working?",
        DiagnosticCheck.SendLimits => "Does your email provider impose an email limit?",
        DiagnosticCheck.Password => "Is your email password correct?",
        DiagnosticCheck.Settings => "Are your SMTP Configuration settings correct?",
        DiagnosticCheck.ProviderRequirements => "Has your email provider made changes to their SMTP connection requirements?",
        DiagnosticCheck.SpamReputation => "Has your client marked your emails as spam or junk?",
        _ => throw new ArgumentOutOfRangeException(nameof(check), check, "Not a DiagnosticCheck."),
    };

    /// <summary>
    /// The question a failure of <paramref name="kind"/> answers. Message-level kinds only arise from the
    /// test message, which proves (or not) that the account works; a transient failure is the account
    /// not working right now.
    /// </summary>
    public static DiagnosticCheck CheckFor(SmtpFailureKind kind) => kind switch
    {
        SmtpFailureKind.SendLimitReached => DiagnosticCheck.SendLimits,
        SmtpFailureKind.AuthenticationFailed or SmtpFailureKind.CredentialsExpired => DiagnosticCheck.Password,
        SmtpFailureKind.Misconfigured => DiagnosticCheck.Settings,
        SmtpFailureKind.ProviderRequirementsChanged => DiagnosticCheck.ProviderRequirements,
        SmtpFailureKind.RejectedAsSpam => DiagnosticCheck.SpamReputation,
        _ => DiagnosticCheck.AccountWorking,
    };
}
