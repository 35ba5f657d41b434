namespace PetSitter.Email.Failures;

/// <summary>
/// The library's own refusal of a message the server announced it cannot take (an international address
/// without SMTPUTF8, a size over the server's SIZE), found on the signed-in connection before MAIL FROM.
/// Carried as the inner exception of an <see cref="SmtpTransportException"/>, so the classifier reports it
/// as <see cref="SmtpFailureKind.MessageRejected"/> with <see cref="Advice"/>: about this message only,
/// never retried, never sent on another channel.
/// </summary>
internal sealed class SmtpMessageRefusedException : Exception
{
    public SmtpMessageRefusedException(string message, string advice, string ruleName)
        : base(message)
    {
        Advice = advice;
        RuleName = ruleName;
    }

    /// <summary>Gets what the owner should do, naming what is wrong with the message.</summary>
    public string Advice { get; }

    /// <summary>Gets the name reported as the classification rule.</summary>
    public string RuleName { get; }
}
