namespace PetSitter.Email.Extensibility;

/// <summary>
/// Counts what each SMTP account has sent and decides whether it may send more without exceeding its
/// <see cref="SendLimits"/> in any rolling window. Every process sending for an account must share one
/// store: the in-memory default serves a single process; a distributed store (Redis) serves many.
/// </summary>
/// <remarks>
/// Implementations must be thread-safe, must never allow a send that would put any window over its
/// limit, and report refusals as <see cref="QuotaDecision"/> values rather than exceptions.
/// </remarks>
public interface ISendQuotaStore
{
    /// <summary>
    /// Counts one message with <paramref name="recipients"/> recipients against the account's limits if
    /// every limit allows it; otherwise counts nothing and says which limit refused and for how long.
    /// </summary>
    /// <param name="accountKey">Identifies the mailbox (for example host and user name); every sender for it must use the same key.</param>
    /// <param name="limits">The account's limits; they may change between calls.</param>
    /// <param name="recipients">The message's recipients (To, Cc and Bcc together); at least 1.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>The decision; when allowed, the message has been counted.</returns>
    ValueTask<QuotaDecision> TryAcquireAsync(string accountKey, SendLimits limits, int recipients, CancellationToken cancellationToken = default);

    /// <summary>
    /// Says what <see cref="TryAcquireAsync"/> would answer now, without counting anything. The SMTP channel asks
    /// it before connecting, so a send an exhausted hour or day window would refuse costs no connection and no
    /// sign-in; the message is counted only by <see cref="TryAcquireAsync"/>, right before its MAIL FROM is written.
    /// </summary>
    /// <param name="accountKey">Identifies the mailbox, as for <see cref="TryAcquireAsync"/>.</param>
    /// <param name="limits">The account's limits.</param>
    /// <param name="recipients">The message's recipients; at least 1.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>
    /// The decision <see cref="TryAcquireAsync"/> would make; nothing is counted either way. The default
    /// implementation allows (a store without it is asked only when the message is about to go on the wire).
    /// </returns>
    ValueTask<QuotaDecision> PeekAsync(string accountKey, SendLimits limits, int recipients, CancellationToken cancellationToken = default) =>
        cancellationToken.IsCancellationRequested ? ValueTask.FromCanceled<QuotaDecision>(cancellationToken) : new ValueTask<QuotaDecision>(QuotaDecision.Allow());

    /// <summary>
    /// Holds the account until <paramref name="until"/> because the provider itself said its quota is used
    /// up (for example Gmail's <c>550 5.4.5 Daily user sending limit exceeded</c>), even when our own count
    /// says otherwise: the owner may also send from a phone or a mail app. A later time extends the hold;
    /// an earlier one does not shorten it.
    /// </summary>
    /// <param name="accountKey">Identifies the mailbox, as for <see cref="TryAcquireAsync"/>.</param>
    /// <param name="until">When the provider's window resets (for a rolling-day quota with no stated reset, 24 hours from now).</param>
    /// <param name="reason">Why, usually the provider's reply; shown on the health page. Never a secret.</param>
    /// <param name="cancellationToken">Cancels the update.</param>
    /// <returns>A task that completes when the hold is recorded.</returns>
    ValueTask MarkExhaustedAsync(string accountKey, DateTimeOffset until, string reason, CancellationToken cancellationToken = default);

    /// <summary>
    /// Returns when the store's history of the mailbox began, starting it now when there is none: the first time the
    /// library sent (or tried to send) through the mailbox, or the first time after it had been left alone for 30 days.
    /// Every call keeps the history alive. The SMTP channel paces a new mailbox's marketing by it (the warm-up, see
    /// <see cref="SendLimitOptions.MarketingWarmUpFirstDay"/>); every process sending for the mailbox must see the same start.
    /// </summary>
    /// <param name="accountKey">Identifies the mailbox, as for <see cref="TryAcquireAsync"/>.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>
    /// The start of the history. The default implementation returns <see langword="null"/>: a store that keeps no
    /// history gets no warm-up (the reserve for direct mail still applies).
    /// </returns>
    ValueTask<DateTimeOffset?> GetHistoryStartAsync(string accountKey, CancellationToken cancellationToken = default) =>
        cancellationToken.IsCancellationRequested ? ValueTask.FromCanceled<DateTimeOffset?>(cancellationToken) : new ValueTask<DateTimeOffset?>((DateTimeOffset?)null);

    /// <summary>Reads what the account has used of its limits, for a health page.</summary>
    /// <param name="accountKey">Identifies the mailbox, as for <see cref="TryAcquireAsync"/>.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The snapshot, or <see langword="null"/> when the store holds nothing for the account.</returns>
    ValueTask<QuotaSnapshot?> GetAsync(string accountKey, CancellationToken cancellationToken = default);
}
