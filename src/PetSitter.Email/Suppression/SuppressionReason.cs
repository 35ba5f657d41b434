namespace PetSitter.Email;

/// <summary>Why an address is on a business's suppression list (<see cref="ISuppressionList"/>).</summary>
public enum SuppressionReason
{
    /// <summary>The recipient unsubscribed (the one-click link of a marketing email, or the app on their behalf).</summary>
    Unsubscribed = 1,

    /// <summary>The recipient marked the business's email as spam (a provider's complaint feedback, reported by the app).</summary>
    Complained = 2,

    /// <summary>
    /// The recipient's server refused the address permanently at <c>RCPT TO</c> (for example Gmail's
    /// <c>550-5.1.1 The email account that you tried to reach does not exist.</c>): the library adds these itself.
    /// </summary>
    HardBounce = 3,
}
