namespace PetSitter.Email;

/// <summary>What a provider's limit reply asks of the send-limit policy.</summary>
internal enum ProviderQuotaSignal
{
    /// <summary>The failure is not about a provider limit.</summary>
    None = 0,

    /// <summary>
    /// A counted quota (daily, hourly) is used up: the account is exhausted for
    /// <see cref="SmtpFailure.ResetsAfter"/>, whatever our own count said.
    /// </summary>
    Window,

    /// <summary>
    /// The provider is throttling (sending or signing in too fast): pause the account for the short
    /// <see cref="SmtpFailure.ResetsAfter"/> rather than retrying at once, which would prolong it.
    /// </summary>
    BackOff,

    /// <summary>
    /// This message has more recipients than the provider takes in one message: a limit on the
    /// message, not the account. Split it or send it by its fallback; nothing resets.
    /// </summary>
    RecipientsPerMessage,
}
