namespace PetSitter.Email;

/// <summary>
/// Which limit refused a send (the one the account has to wait for longest): in a store's
/// <see cref="QuotaDecision"/>, and on the outcome as <see cref="SendOutcome.LimitWindow"/> /
/// <see cref="SmtpFailure.LimitWindow"/>.
/// </summary>
public enum LimitWindow
{
    /// <summary>No limit refused: the send was allowed.</summary>
    None = 0,

    /// <summary><see cref="SendLimits.MessagesPerSecond"/>: a short wait, worth waiting for.</summary>
    MessagesPerSecond = 1,

    /// <summary><see cref="SendLimits.MessagesPerMinute"/>.</summary>
    MessagesPerMinute = 2,

    /// <summary><see cref="SendLimits.MessagesPerHour"/>.</summary>
    MessagesPerHour = 3,

    /// <summary><see cref="SendLimits.MessagesPerDay"/> (rolling 24 hours).</summary>
    MessagesPerDay = 4,

    /// <summary><see cref="SendLimits.RecipientsPerDay"/> (rolling 24 hours).</summary>
    RecipientsPerDay = 5,

    /// <summary>
    /// The message has more recipients than <see cref="SendLimits.RecipientsPerMessage"/> (or than
    /// <see cref="SendLimits.RecipientsPerDay"/>): no wait helps; split the message.
    /// </summary>
    RecipientsPerMessage = 6,

    /// <summary>The provider itself said the account's quota is used up, whatever our own count says.</summary>
    ProviderExhausted = 7,

    /// <summary>
    /// The shared limit store (Redis) could not be reached and is configured to fail closed: the account
    /// is treated as limited until the store answers again. Not the account's fault: its health is untouched.
    /// </summary>
    StoreUnavailable = 8,
}
