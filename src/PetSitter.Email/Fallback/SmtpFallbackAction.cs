namespace PetSitter.Email;

/// <summary>What happens to a message of a category when the business's SMTP account cannot take it.</summary>
public enum SmtpFallbackAction
{
    /// <summary>
    /// Send it at once through the platform's native mailer, with the same Message-ID and <c>Reply-To</c>
    /// the business ("the invoice always gets through").
    /// </summary>
    SendNative = 1,

    /// <summary>
    /// Hold it until the account can send again and send it from the business's own mailbox then; it
    /// never spends the platform's reputation.
    /// </summary>
    Defer = 2,
}
