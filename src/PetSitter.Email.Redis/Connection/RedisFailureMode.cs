namespace PetSitter.Email;

/// <summary>What the Redis stores do while Redis cannot be reached (down, restarting, timing out).</summary>
public enum RedisFailureMode
{
    /// <summary>
    /// Keep sending on this process's own counts: send limits fall back to an in-process store and account
    /// breakers to this process's own. Mail keeps flowing through the owners' mailboxes, but each instance
    /// counts only what it sent itself during the outage, so an account can exceed its limit up to once per
    /// instance. Every fallback is logged and counted.
    /// </summary>
    FailOpen = 1,

    /// <summary>
    /// Treat every SMTP account as limited until Redis answers again: each message gets its category's
    /// fallback policy (invoices and quotes go out natively, marketing waits). No mailbox can exceed its
    /// provider's limit, at the cost of native sends for the length of the outage. Every refusal is logged
    /// and counted.
    /// </summary>
    FailClosed = 2,
}
