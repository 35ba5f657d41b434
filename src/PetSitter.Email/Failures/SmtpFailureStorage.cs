namespace PetSitter.Email.Extensibility;

/// <summary>
/// Lets a store that keeps an <see cref="SmtpFailure"/> outside the process (a shared breaker, a persistent
/// deferred queue) write down the parts of it the library reads but callers do not see, and rebuild the same
/// failure when it reads it back.
/// </summary>
public static class SmtpFailureStorage
{
    /// <summary>Gets what a provider's limit reply asked of the send-limit policy, as a number to store.</summary>
    /// <param name="failure">The failure to store.</param>
    /// <returns>An opaque number; give it back to <see cref="Restore"/>.</returns>
    public static int QuotaSignalOf(SmtpFailure failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return (int)failure.QuotaSignal;
    }

    /// <summary>Gets the name of the classification rule that named the failure, if any.</summary>
    /// <param name="failure">The failure to store.</param>
    /// <returns>The rule's name, or <see langword="null"/>.</returns>
    public static string? RuleNameOf(SmtpFailure failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return failure.RuleName;
    }

    /// <summary>Rebuilds a stored failure.</summary>
    /// <param name="kind">The failure's kind.</param>
    /// <param name="isAccountLevel">Whether the failure concerns the account rather than the message.</param>
    /// <param name="isTransient">Whether trying again later may succeed.</param>
    /// <param name="advice">The stored advice; when empty, the library's advice for <paramref name="kind"/>.</param>
    /// <param name="stage">The SMTP stage that failed, if known.</param>
    /// <param name="statusCode">The server's status code, if any.</param>
    /// <param name="reply">The server's (redacted) reply, if any.</param>
    /// <param name="resetsAfter">How long the limit holds, if the reply said so.</param>
    /// <param name="quotaSignal">The number <see cref="QuotaSignalOf"/> gave; an unknown number reads as none.</param>
    /// <param name="limitWindow">The provider window the reply named, if any.</param>
    /// <param name="ruleName">The name <see cref="RuleNameOf"/> gave.</param>
    /// <returns>The failure.</returns>
    public static SmtpFailure Restore(
        SmtpFailureKind kind,
        bool isAccountLevel,
        bool isTransient,
        string? advice,
        SmtpStage? stage,
        int? statusCode,
        string? reply,
        TimeSpan? resetsAfter,
        int quotaSignal,
        LimitWindow? limitWindow,
        string? ruleName) =>
        new(kind, isAccountLevel, isTransient, string.IsNullOrWhiteSpace(advice) ? SmtpFailureAdvice.For(kind) : advice, stage, statusCode, reply)
        {
            ResetsAfter = resetsAfter,
            QuotaSignal = Enum.IsDefined((ProviderQuotaSignal)quotaSignal) ? (ProviderQuotaSignal)quotaSignal : ProviderQuotaSignal.None,
            LimitWindow = limitWindow,
            RuleName = ruleName,
        };
}
