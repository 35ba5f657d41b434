using System.Collections.Concurrent;

namespace PetSitter.Email.Limits;

/// <summary>
/// Waits out short refusals (a per-second slot) up to a bound, so a burst is paced rather than sent to
/// its fallback; a longer refusal is returned at once so the caller can apply the fallback policy with
/// the time the account can send again.
/// </summary>
internal sealed class SendThrottle
{
    private readonly ISendQuotaStore _store;
    private readonly TimeProvider _timeProvider;
    private readonly ConcurrentDictionary<string, Line> _lines = new(StringComparer.Ordinal);
    private readonly Lock _linesGate = new();

    // How many accounts have a send waiting: while none does, a send never looks up its account's line.
    private int _waitingAccounts;

    public SendThrottle(ISendQuotaStore store, TimeProvider timeProvider, TimeSpan maxWait)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxWait, TimeSpan.Zero);
        _store = store;
        _timeProvider = timeProvider;
        MaxWait = maxWait;
    }

    public SendThrottle(ISendQuotaStore store, TimeProvider timeProvider, SendLimitOptions options)
        : this(store, timeProvider, (options ?? throw new ArgumentNullException(nameof(options))).MaxThrottleWait)
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
    public ValueTask<QuotaDecision> AcquireAsync(string accountKey, SendLimits limits, int recipients, CancellationToken cancellationToken) =>
        AcquireAsync(accountKey, limits, recipients, observer: null, waitingSince: null, cancellationToken);

    /// <summary>
    /// Counts the message against the account's limits as <see cref="AcquireAsync(string, SendLimits, int, CancellationToken)"/>
    /// does, telling <paramref name="observer"/> after every wait, before the message is counted, and how long it waited:
    /// the throttle records nothing itself, the caller does (the SMTP channel, into its telemetry).
    /// </summary>
    /// <param name="accountKey">The account.</param>
    /// <param name="limits">Its limits.</param>
    /// <param name="recipients">The message's recipients.</param>
    /// <param name="observer">Told after every wait, before the count (may throw to abandon the send), and of the whole wait once it ends.</param>
    /// <param name="waitingSince">
    /// The <see cref="TimeProvider.GetTimestamp"/> the bound is counted from (the channel passes the moment it took
    /// the message, so a send that waited for its lane or a connection does not wait a full bound again);
    /// <see langword="null"/> for now.
    /// </param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>An allowing decision (the message has been counted), or the refusal.</returns>
    /// <remarks>
    /// An account's waiting sends are served first come, first served: while one waits, a newcomer queues
    /// behind it instead of taking the slot the first one is waiting for (which could push the first one past
    /// its bound and defer it while the newcomer went out).
    /// </remarks>
    public ValueTask<QuotaDecision> AcquireAsync(
        string accountKey, SendLimits limits, int recipients, IThrottleWaitObserver? observer, long? waitingSince, CancellationToken cancellationToken) =>
        AcquireAsync(null, accountKey, limits, recipients, observer, waitingSince, cancellationToken);

    /// <summary>
    /// Counts the message as <see cref="AcquireAsync(string, SendLimits, int, IThrottleWaitObserver?, long?, CancellationToken)"/>
    /// does; with the in-memory store, the first check goes through the account's cells cached on
    /// <paramref name="account"/> (see <see cref="InMemorySendQuotaStore.TryAcquire(SmtpAccountSettings, SendLimits, int)"/>),
    /// so it hashes no key.
    /// </summary>
    /// <param name="account">The settings instance <paramref name="accountKey"/> comes from (its limit key), or <see langword="null"/>.</param>
    /// <param name="accountKey">The account.</param>
    /// <param name="limits">Its limits.</param>
    /// <param name="recipients">The message's recipients.</param>
    /// <param name="observer">Told after every wait (see the overload without <paramref name="account"/>).</param>
    /// <param name="waitingSince">The timestamp the bound is counted from, or <see langword="null"/> for now.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>An allowing decision (the message has been counted), or the refusal.</returns>
    public ValueTask<QuotaDecision> AcquireAsync(
        SmtpAccountSettings? account, string accountKey, SendLimits limits, int recipients, IThrottleWaitObserver? observer, long? waitingSince, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _waitingAccounts) != 0 && _lines.ContainsKey(accountKey))
        {
            return WaitInLineAsync(null, accountKey, limits, recipients, observer, waitingSince, cancellationToken);
        }

        var first = CachingStore(_store, account, accountKey, cancellationToken) is { } memory
            ? new ValueTask<QuotaDecision>(memory.TryAcquire(account!, limits, recipients))
            : _store.TryAcquireAsync(accountKey, limits, recipients, cancellationToken);
        if (!first.IsCompletedSuccessfully)
        {
            return WaitForFirstAsync(first, accountKey, limits, recipients, observer, waitingSince, cancellationToken);
        }

        var decision = first.Result;
        return ShouldWait(decision, Waited(waitingSince))
            ? WaitInLineAsync(decision, accountKey, limits, recipients, observer, waitingSince, cancellationToken)
            : new ValueTask<QuotaDecision>(decision);
    }

    /// <summary>
    /// Asks <paramref name="store"/> what a check would answer now, counting nothing (<see cref="ISendQuotaStore.PeekAsync"/>);
    /// with the in-memory store, through the account's cells cached on <paramref name="account"/>.
    /// </summary>
    /// <param name="store">The store.</param>
    /// <param name="account">The settings instance <paramref name="accountKey"/> comes from (its limit key).</param>
    /// <param name="accountKey">The account.</param>
    /// <param name="limits">Its limits.</param>
    /// <param name="recipients">The message's recipients.</param>
    /// <param name="cancellationToken">Cancels the look.</param>
    /// <returns>The decision a check would make.</returns>
    public static ValueTask<QuotaDecision> PeekAsync(ISendQuotaStore store, SmtpAccountSettings account, string accountKey, SendLimits limits, int recipients, CancellationToken cancellationToken) =>
        CachingStore(store, account, accountKey, cancellationToken) is { } memory
            ? new ValueTask<QuotaDecision>(memory.Peek(account, limits, recipients))
            : store.PeekAsync(accountKey, limits, recipients, cancellationToken);

    // The cached path is taken only when it answers what the key would: the in-memory store (the only one that caches on
    // the settings instance), a key that is the instance's own, and a token not already cancelled (the key path answers that with a cancelled task).
    private static InMemorySendQuotaStore? CachingStore(ISendQuotaStore store, SmtpAccountSettings? account, string accountKey, CancellationToken cancellationToken) =>
        account is not null && store is InMemorySendQuotaStore memory && !cancellationToken.IsCancellationRequested && ReferenceEquals(accountKey, account.LimitKey())
            ? memory
            : null;

    /// <summary>Gets whether a refusal is one this throttle would wait out rather than hand back.</summary>
    public bool CanWaitFor(QuotaDecision decision) => ShouldWait(decision, TimeSpan.Zero);

    private TimeSpan Waited(long? since) => since is { } start ? _timeProvider.GetElapsedTime(start) : TimeSpan.Zero;

    private async ValueTask<QuotaDecision> WaitForFirstAsync(
        ValueTask<QuotaDecision> first, string accountKey, SendLimits limits, int recipients, IThrottleWaitObserver? observer, long? waitingSince, CancellationToken cancellationToken)
    {
        var decision = await first.ConfigureAwait(false);
        return ShouldWait(decision, Waited(waitingSince))
            ? await WaitInLineAsync(decision, accountKey, limits, recipients, observer, waitingSince, cancellationToken).ConfigureAwait(false)
            : decision;
    }

    /// <summary>
    /// Waits for this send's turn among the account's waiting sends, then for a slot; <paramref name="known"/> is the
    /// refusal that sent it here, or <see langword="null"/> when it queued behind others without asking the store.
    /// </summary>
    private async ValueTask<QuotaDecision> WaitInLineAsync(
        QuotaDecision? known, string accountKey, SendLimits limits, int recipients, IThrottleWaitObserver? observer, long? waitingSince, CancellationToken cancellationToken)
    {
        var started = waitingSince ?? _timeProvider.GetTimestamp();
        var line = Join(accountKey);
        var window = known?.Window ?? LimitWindow.None;
        try
        {
            var waited = false;
            if (!line.Turn.Wait(0, CancellationToken.None))
            {
                waited = true;
                var left = MaxWait - _timeProvider.GetElapsedTime(started);
                using var bound = new CancellationTokenSource(
                    // Stryker disable once Equality : at exactly zero left both branches give TimeSpan.Zero
                    left > TimeSpan.Zero ? left : TimeSpan.Zero,
                    _timeProvider);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, bound.Token);
                try
                {
                    await line.Turn.WaitAsync(linked.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (bound.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    // The sends ahead used the whole bound: refused with the store's current answer.
                    var now = await _store.PeekAsync(accountKey, limits, recipients, cancellationToken).ConfigureAwait(false);
                    var refusal = now.IsAllowed ? QuotaDecision.Refuse(line.Window, TimeSpan.Zero) : now;
                    observer?.Waited(refusal.Window, _timeProvider.GetElapsedTime(started), acquired: false);
                    return refusal;
                }
            }

            try
            {
                QuotaDecision decision;
                if (known is { } refused && !waited)
                {
                    decision = refused;
                }
                else
                {
                    if (waited && observer is not null)
                    {
                        await observer.AfterWaitAsync(cancellationToken).ConfigureAwait(false);
                    }

                    decision = await _store.TryAcquireAsync(accountKey, limits, recipients, cancellationToken).ConfigureAwait(false);
                }

                while (ShouldWait(decision, _timeProvider.GetElapsedTime(started)))
                {
                    window = decision.Window;
                    line.Window = window;
                    await Task.Delay(decision.RetryAfter, _timeProvider, cancellationToken).ConfigureAwait(false);
                    waited = true;
                    if (observer is not null)
                    {
                        await observer.AfterWaitAsync(cancellationToken).ConfigureAwait(false);
                    }

                    decision = await _store.TryAcquireAsync(accountKey, limits, recipients, cancellationToken).ConfigureAwait(false);
                }

                if (waited)
                {
                    observer?.Waited(window == LimitWindow.None ? decision.Window : window, _timeProvider.GetElapsedTime(started), decision.IsAllowed);
                }

                return decision;
            }
            finally
            {
                line.Turn.Release();
            }
        }
        finally
        {
            Leave(accountKey, line);
        }
    }

    private Line Join(string accountKey)
    {
        lock (_linesGate)
        {
            if (!_lines.TryGetValue(accountKey, out var line))
            {
                line = new Line();
                _lines[accountKey] = line;

                // Stryker disable once Update : the count only lets a send skip the lookup of its line; a count that never returns to 0 costs that lookup, never a different decision
                _waitingAccounts++;
            }

            line.Users++;
            return line;
        }
    }

    private void Leave(string accountKey, Line line)
    {
        lock (_linesGate)
        {
            if (--line.Users == 0)
            {
                _lines.TryRemove(accountKey, out _);

                // Stryker disable once Update : as in Join, a wrong count only costs a lookup of the line
                _waitingAccounts--;
            }
        }
    }

    private bool ShouldWait(QuotaDecision decision, TimeSpan waited) =>
        !decision.IsAllowed && decision.CanRetry && waited + decision.RetryAfter <= MaxWait;

    /// <summary>An account's sends that are waiting: one at a time asks the store, in the order they came.</summary>
    private sealed class Line
    {
        // Never disposed: without AvailableWaitHandle a SemaphoreSlim holds nothing to release.
        public SemaphoreSlim Turn { get; } = new(1, 1);

        /// <summary>Guarded by the throttle's lock.</summary>
        public int Users { get; set; }

        /// <summary>The window the send at the head last waited for: what a send that timed out behind it is told.</summary>
        public LimitWindow Window { get; set; } = LimitWindow.MessagesPerSecond;
    }
}
