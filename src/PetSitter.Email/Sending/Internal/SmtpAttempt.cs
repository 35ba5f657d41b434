namespace PetSitter.Email.Sending;

/// <summary>What the SMTP channel made of one message: sent, not sent (why, and when the account can send again), or uncertain.</summary>
internal readonly record struct SmtpAttempt(DeliveryReceipt? Receipt, SmtpFailure? Failure, DateTimeOffset? ResumeAt, bool IsUncertain)
{
    public bool IsSent => Receipt is not null;

    // Stryker disable once Boolean : EmailSender reads IsSent first and IsUncertain only for an attempt that was not sent.
    public static SmtpAttempt Sent(DeliveryReceipt receipt) => new(receipt, null, null, false);

    public static SmtpAttempt NotSent(SmtpFailure failure, DateTimeOffset? resumeAt) => new(null, failure, resumeAt, false);

    public static SmtpAttempt Uncertain(SmtpFailure failure) => new(null, failure, null, true);
}
