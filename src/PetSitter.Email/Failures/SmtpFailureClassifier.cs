namespace PetSitter.Email;

/// <summary>Turns a failure of the SMTP channel into a <see cref="SmtpFailure"/>.</summary>
internal static class SmtpFailureClassifier
{
    public static SmtpFailure Classify(SmtpTransportException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var code = exception.StatusCode;
        var stage = exception.Stage;
        var (kind, account, transient) = (stage, code) switch
        {
            (SmtpStage.Connect or SmtpStage.Tls, _) => (SmtpFailureKind.Misconfigured, true, false),
            (SmtpStage.Authenticate, 535 or 534) => (SmtpFailureKind.AuthenticationFailed, true, false),
            (SmtpStage.RcptTo, >= 500) => (SmtpFailureKind.RecipientRejected, false, false),
            (_, >= 400 and < 500) => (SmtpFailureKind.Transient, false, true),
            (_, null) => (SmtpFailureKind.Transient, false, true),
            _ => (SmtpFailureKind.MessageRejected, false, false),
        };
        return new SmtpFailure(kind, account, transient, SmtpFailureAdvice.For(kind), stage, code, exception.Reply);
    }

    public static SmtpFailure Misconfigured(IReadOnlyList<string> errors) =>
        new(SmtpFailureKind.Misconfigured, isAccountLevel: true, isTransient: false,
            SmtpFailureAdvice.For(SmtpFailureKind.Misconfigured), stage: null, statusCode: null, reply: string.Join(" ", errors));
}
