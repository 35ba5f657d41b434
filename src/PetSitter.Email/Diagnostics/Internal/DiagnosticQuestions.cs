namespace PetSitter.Email.Diagnostics;

/// <summary>
/// Which failure kinds answer which <see cref="DiagnosticCheck"/>. The questions' words live once, in
/// <see cref="SmtpFailureQuestions"/>: a check asks the question of the kind that leads it.
/// </summary>
internal static class DiagnosticQuestions
{
    public static string For(DiagnosticCheck check) => SmtpFailureQuestions.For(LeadKind(check));

    /// <summary>The kind whose question a check asks: the one failure that answers the check most directly.</summary>
    public static SmtpFailureKind LeadKind(DiagnosticCheck check) => check switch
    {
        DiagnosticCheck.AccountWorking => SmtpFailureKind.AccountUnavailable,
        DiagnosticCheck.SendLimits => SmtpFailureKind.SendLimitReached,
        DiagnosticCheck.Password => SmtpFailureKind.AuthenticationFailed,
        DiagnosticCheck.Settings => SmtpFailureKind.Misconfigured,
        DiagnosticCheck.ProviderRequirements => SmtpFailureKind.ProviderRequirementsChanged,
        DiagnosticCheck.SpamReputation => SmtpFailureKind.RejectedAsSpam,
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
