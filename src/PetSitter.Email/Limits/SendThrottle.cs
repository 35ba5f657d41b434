namespace PetSitter.Email;

/// <summary>
/// Waits out short refusals (a per-second slot) up to a bound, so a burst is paced rather than sent to
/// its fallback; a longer refusal is returned at once so the caller can apply the fallback policy with
/// the time the account can send again.
/// </summary>
internal sealed class SendThrottle
{
    public static readonly TimeSpan DefaultMaxWait = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan MaxMaxWait = TimeSpan.FromMinutes(1);

    private readonly ISendQuotaStore store;
    private readonly TimeProvider timeProvider;
    private readonly EmailTelemetry? telemetry;

    public SendThrottle(ISendQuotaStore store, TimeProvider timeProvider, TimeSpan maxWait, EmailTelemetry? telemetry = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxWait, TimeSpan.Zero);
        this.store = store;
        this.timeProvider = timeProvider;
        MaxWait = maxWait;
        this.telemetry = telemetry;
    }

    public SendThrottle(ISendQuotaStore store, TimeProvider timeProvider, SendLimitOptions options, EmailTelemetry? telemetry = null)
        : this(store, timeProvider, (options ?? throw new ArgumentNullException(nameof(options))).MaxThrottleWait, telemetry)
    {
    }

    /// <summary>Gets the longest total wait before a refusal is handed back.</summary>
    public TimeSpan MaxWait { get; }

    /// <summary>
    /// Counts the message against the account's limits, waiting while the wait still fits in
    /// <see cref="MaxWait"/> (in total, however many times other senders take the freed slot first).
    /// </summary>
    /// <returns>An allowing decision, or the refusal that would need a longer wait (or can never pass).</returns>
    /// <remarks>When the store answers at once and no wait is needed, nothing is allocated.</remarks>
    public ValueTask<QuotaDecision> AcquireAsync(string accountKey, SendLimits limits, int recipients, CancellationToken cancellationToken)
    {
        var first = store.TryAcquireAsync(accountKey, limits, recipients, cancellationToken);
        if (!first.IsCompletedSuccessfully)
        {
            return WaitForFirstAsync(first, accountKey, limits, recipients, cancellationToken);
        }

        var decision = first.Result;
        return ShouldWait(decision, TimeSpan.Zero)
            ? WaitAndRetryAsync(decision, accountKey, limits, recipients, cancellationToken)
            : new ValueTask<QuotaDecision>(decision);
    }

    private async ValueTask<QuotaDecision> WaitForFirstAsync(
        ValueTask<QuotaDecision> first, string accountKey, SendLimits limits, int recipients, CancellationToken cancellationToken)
    {
        var decision = await first.ConfigureAwait(false);
        return ShouldWait(decision, TimeSpan.Zero)
            ? await WaitAndRetryAsync(decision, accountKey, limits, recipients, cancellationToken).ConfigureAwait(false)
            : decision;
    }

    private async ValueTask<QuotaDecision> WaitAndRetryAsync(
        QuotaDecision decision, string accountKey, SendLimits limits, int recipients, CancellationToken cancellationToken)
    {
        var started = timeProvider.GetTimestamp();
        var window = decision.Window;
        do
        {
            await Task.Delay(decision.RetryAfter, timeProvider, cancellationToken).ConfigureAwait(false);
            decision = await store.TryAcquireAsync(accountKey, limits, recipients, cancellationToken).ConfigureAwait(false);
        }
        while (ShouldWait(decision, timeProvider.GetElapsedTime(started)));

        telemetry?.ThrottleWaited(window, timeProvider.GetElapsedTime(started), decision.IsAllowed);
        return decision;
    }

    private bool ShouldWait(QuotaDecision decision, TimeSpan waited) =>
        !decision.IsAllowed && decision.CanRetry && waited + decision.RetryAfter <= MaxWait;
}
