namespace PetSitter.Email.Smtp;

/// <summary>
/// What a send passes right before its MAIL FROM is written, on a connected and signed-in connection: the
/// account's send limits are counted there (waiting for a short slot, asking the breaker again after any
/// wait), because a provider counts what reaches it, not what a client decided to send.
/// </summary>
internal interface ISmtpSendGate
{
    /// <summary>Counts the message against the account's limits, waiting up to the throttle's bound.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the MAIL FROM may be written.</returns>
    /// <exception cref="SmtpSendGateClosedException">A limit refused the send, or the account's breaker opened while it waited: write nothing.</exception>
    ValueTask EnterAsync(CancellationToken cancellationToken);
}

/// <summary>
/// An <see cref="ISmtpTransport"/> that passes the send gate itself, between signing in and MAIL FROM. A
/// transport without it (a fake, a custom one) is gated by the channel just before it is called.
/// </summary>
internal interface IGatedSmtpTransport
{
    /// <summary>Sends as <see cref="ISmtpTransport.SendAsync"/>, passing <paramref name="gate"/> right before each MAIL FROM it writes.</summary>
    ValueTask<DeliveryReceipt> SendAsync(SmtpAccountSettings account, MimeKit.MimeMessage message, ISmtpSendGate gate, CancellationToken cancellationToken);
}

/// <summary>
/// The send gate said no: nothing of this message was written. Not an <see cref="SmtpTransportException"/>, so
/// the retry pipeline lets it through untouched; the channel turns it into the usual limit or breaker outcome.
/// </summary>
internal sealed class SmtpSendGateClosedException : Exception
{
    public SmtpSendGateClosedException(QuotaDecision refusal)
        : base($"The send limit refused the message before MAIL FROM: {refusal}.")
    {
        Refusal = refusal;
    }

    public SmtpSendGateClosedException(AccountGate breaker)
        : base("The account's breaker opened while the message waited for a send slot.")
    {
        Breaker = breaker;
    }

    public SmtpSendGateClosedException()
    {
    }

    public SmtpSendGateClosedException(string message)
        : base(message)
    {
    }

    public SmtpSendGateClosedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets the limit's refusal, when a limit refused.</summary>
    public QuotaDecision? Refusal { get; }

    /// <summary>Gets the breaker's answer, when the breaker closed the account while the send waited.</summary>
    public AccountGate? Breaker { get; }
}
