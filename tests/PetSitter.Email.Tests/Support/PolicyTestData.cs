using MimeKit.Utils;

namespace PetSitter.Email.Tests.Support;

internal static class PolicyTestData
{
    public static readonly DateTimeOffset Start = new(2025, 3, 14, 9, 0, 0, TimeSpan.Zero);

    public static SmtpFailure Failure(SmtpFailureKind kind, bool? accountLevel = null, string? reply = null)
    {
        var isAccountLevel = accountLevel ?? kind is not (SmtpFailureKind.Transient or SmtpFailureKind.RecipientRejected or SmtpFailureKind.MessageRejected or SmtpFailureKind.RejectedAsSpam);
        var (stage, code, text) = kind switch
        {
            SmtpFailureKind.AuthenticationFailed => (SmtpStage.Authenticate, 535, "5.7.8 Username and Password not accepted."),
            SmtpFailureKind.SendLimitReached => (SmtpStage.MailFrom, 550, "5.4.5 Daily user sending limit exceeded."),
            SmtpFailureKind.RecipientRejected => (SmtpStage.RcptTo, 550, "5.1.1 The email account that you tried to reach does not exist."),
            SmtpFailureKind.Transient => (SmtpStage.Data, 451, "4.3.0 Temporary server error."),
            SmtpFailureKind.AccountUnavailable => (SmtpStage.Greeting, 421, "4.7.0 Try again later, closing connection."),
            _ => ((SmtpStage?)SmtpStage.MailFrom, (int?)550, "5.7.1 Refused."),
        };
        return new SmtpFailure(kind, isAccountLevel, kind == SmtpFailureKind.Transient, SmtpFailureAdvice.For(kind), stage, code, reply ?? text);
    }

    public static OutgoingEmail Email(EmailCategory category = EmailCategory.Marketing, string businessId = "paws")
    {
        var message = TestData.Message("Spring offer");
        message.MessageId = MimeUtils.GenerateMessageId("paws.example");
        return new OutgoingEmail(businessId, category, message);
    }

    public static DeferredEmail Deferred(DateTimeOffset dueAt, int attempts = 0, DateTimeOffset? firstDeferredAt = null, EmailCategory category = EmailCategory.Marketing) =>
        new(Email(category), dueAt, Failure(SmtpFailureKind.SendLimitReached), firstDeferredAt ?? Start, attempts);
}
