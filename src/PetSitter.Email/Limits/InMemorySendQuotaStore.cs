using System.Collections.Concurrent;
using System.Numerics;

namespace PetSitter.Email;

/// <summary>
/// The embedded <see cref="ISendQuotaStore"/>: counts in this process's memory, so it is right only when
/// one process sends for each account.
/// </summary>
/// <remarks>
/// <para>Each account is one small array of bucket counters (see <see cref="AccountCells"/>) guarded by
/// its own lock bit; a check reads the clock once, brings the windows up to date from timestamps (nothing runs
/// in the background: an idle store costs no CPU), and allocates nothing once the account is known.</para>
/// <para>Idle accounts are dropped lazily: every new account examines the next two entries of a
/// round-robin walk and removes those whose windows have emptied, so the work is paid by inserts and
/// memory follows the accounts active in the last day.</para>
/// </remarks>
internal sealed class InMemorySendQuotaStore : ISendQuotaStore
{
    /// <summary>
    /// Store time starts here rather than at zero so the oldest bucket of any window always has a
    /// non-negative index.
    /// </summary>
    internal const long ClockOffsetMs = 2 * QuotaWindows.LongestSpanMs;

    private const int SweepPerInsert = 2;

    private readonly ConcurrentDictionary<string, ushort[]> accounts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Exhaustion> exhaustions = new(StringComparer.Ordinal);
    private readonly Lock sweepGate = new();
    private readonly TimeProvider timeProvider;
    private readonly long originTimestamp;
    private readonly long timestampFrequency;
    private readonly double msPerTimestampTick;
    private IEnumerator<KeyValuePair<string, ushort[]>>? sweepCursor;

    public InMemorySendQuotaStore(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        this.timeProvider = timeProvider;
        originTimestamp = timeProvider.GetTimestamp();
        timestampFrequency = timeProvider.TimestampFrequency;
        msPerTimestampTick = 1000.0 / timestampFrequency;
    }

    /// <summary>Gets how many accounts the store holds counters for.</summary>
    internal int TrackedAccounts => accounts.Count;

    public ValueTask<QuotaDecision> TryAcquireAsync(string accountKey, SendLimits limits, int recipients, CancellationToken cancellationToken = default) =>
        cancellationToken.IsCancellationRequested
            ? ValueTask.FromCanceled<QuotaDecision>(cancellationToken)
            : new ValueTask<QuotaDecision>(TryAcquire(accountKey, limits, recipients));

    public ValueTask MarkExhaustedAsync(string accountKey, DateTimeOffset until, string reason, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        MarkExhausted(accountKey, until, reason);
        return ValueTask.CompletedTask;
    }

    public ValueTask<QuotaSnapshot?> GetAsync(string accountKey, CancellationToken cancellationToken = default) =>
        cancellationToken.IsCancellationRequested
            ? ValueTask.FromCanceled<QuotaSnapshot?>(cancellationToken)
            : new ValueTask<QuotaSnapshot?>(Get(accountKey));

    internal QuotaDecision TryAcquire(string accountKey, SendLimits limits, int recipients)
    {
        ArgumentNullException.ThrowIfNull(accountKey);
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentOutOfRangeException.ThrowIfLessThan(recipients, 1);

        // More recipients than a message (or a whole day) may have: no wait helps, so nothing is counted.
        if (recipients > limits.RecipientsPerMessage || recipients > limits.RecipientsPerDay)
        {
            return QuotaDecision.Refuse(LimitWindow.RecipientsPerMessage, TimeSpan.Zero);
        }

        var wanted = QuotaWindows.MaskOf(limits);
        var now = NowMs();
        while (true)
        {
            if (!accounts.TryGetValue(accountKey, out var cells))
            {
                if (wanted == 0)
                {
                    // Nothing to count and no provider hold recorded (a hold creates the entry).
                    return QuotaDecision.Allow();
                }

                cells = AccountCells.Create(wanted, now);
                if (!accounts.TryAdd(accountKey, cells))
                {
                    continue;
                }

                SweepStep(now);
            }

            AccountCells.Enter(cells);
            try
            {
                var header = AccountCells.Header(cells);
                if ((header & AccountCells.EvictedFlag) != 0)
                {
                    continue;
                }

                var tracked = AccountCells.Mask(header);
                if ((wanted & ~tracked) != 0)
                {
                    Grow(accountKey, cells, tracked | wanted);
                    continue;
                }

                return Decide(accountKey, cells, limits, wanted, recipients, now);
            }
            finally
            {
                AccountCells.Exit(cells);
            }
        }
    }

    internal void MarkExhausted(string accountKey, DateTimeOffset until, string reason)
    {
        ArgumentNullException.ThrowIfNull(accountKey);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        var now = NowMs();
        var untilMs = now + (long)Math.Ceiling((until - timeProvider.GetUtcNow()).TotalMilliseconds);
        if (untilMs <= now)
        {
            return;
        }

        while (true)
        {
            if (!accounts.TryGetValue(accountKey, out var cells))
            {
                cells = AccountCells.Create(0, now);
                if (!accounts.TryAdd(accountKey, cells))
                {
                    continue;
                }

                SweepStep(now);
            }

            AccountCells.Enter(cells);
            try
            {
                ref var header = ref AccountCells.Header(cells);
                if ((header & AccountCells.EvictedFlag) != 0)
                {
                    continue;
                }

                // A later hold wins; an earlier one never shortens a hold still running.
                if (!exhaustions.TryGetValue(accountKey, out var existing) || existing.UntilMs < untilMs || existing.UntilMs <= now)
                {
                    exhaustions[accountKey] = new Exhaustion(untilMs, reason);
                }

                header |= AccountCells.ExhaustedFlag;
                return;
            }
            finally
            {
                AccountCells.Exit(cells);
            }
        }
    }

    internal QuotaSnapshot? Get(string accountKey)
    {
        ArgumentNullException.ThrowIfNull(accountKey);
        if (!accounts.TryGetValue(accountKey, out var cells))
        {
            return null;
        }

        var now = NowMs();
        var asOf = timeProvider.GetUtcNow();
        AccountCells.Enter(cells);
        try
        {
            ref var header = ref AccountCells.Header(cells);
            if ((header & AccountCells.EvictedFlag) != 0)
            {
                return null;
            }

            now = Math.Max(now, AccountCells.LastMs(header));
            Span<int?> counts = stackalloc int?[QuotaWindows.Count];
            var last = AccountCells.LastMs(header);
            var tracked = AccountCells.Mask(header);
            var sumCell = AccountCells.HeaderCells;
            var ringCell = AccountCells.HeaderCells + (2 * BitOperations.PopCount((uint)tracked));
            for (var bits = tracked; bits != 0; bits &= bits - 1)
            {
                var window = BitOperations.TrailingZeroCount(bits);
                var ring = cells.AsSpan(ringCell, QuotaWindows.RingSize(window));
                ref var sum = ref AccountCells.Sum(cells, sumCell);
                AccountCells.Expire(window, ring, ref sum, QuotaWindows.BucketOf(window, last), QuotaWindows.BucketOf(window, now));
                counts[window] = sum;
                sumCell += 2;
                ringCell += ring.Length;
            }

            header = AccountCells.WithLastMs(header, now);
            var hold = ActiveHold(accountKey, header, now);
            return new QuotaSnapshot
            {
                AsOf = asOf,
                MessagesLastSecond = counts[QuotaWindows.Second],
                MessagesLastMinute = counts[QuotaWindows.Minute],
                MessagesLastHour = counts[QuotaWindows.Hour],
                MessagesLastDay = counts[QuotaWindows.Day],
                RecipientsLastDay = counts[QuotaWindows.RecipientsDay],
                ExhaustedUntil = hold is null ? null : asOf + TimeSpan.FromMilliseconds(hold.UntilMs - now),
                ExhaustedReason = hold?.Reason,
            };
        }
        finally
        {
            AccountCells.Exit(cells);
        }
    }

    private static LimitWindow Later(ref long longestMs, LimitWindow current, long waitMs, LimitWindow window)
    {
        if (waitMs > longestMs)
        {
            longestMs = waitMs;
            return window;
        }

        return current;
    }

    /// <summary>
    /// Store time in whole milliseconds. The usual clock frequencies (nanoseconds on Linux and macOS, 100 ns
    /// on Windows and in <c>FakeTimeProvider</c>) divide by a constant: exact and cheaper than a variable
    /// division; others multiply by a double.
    /// </summary>
    private long NowMs()
    {
        var elapsed = timeProvider.GetTimestamp() - originTimestamp;
        return ClockOffsetMs + timestampFrequency switch
        {
            1_000_000_000 => elapsed / 1_000_000,
            10_000_000 => elapsed / 10_000,
            _ => (long)(elapsed * msPerTimestampTick),
        };
    }

    /// <summary>Decides under the account's lock: brings every tracked window up to date, then counts or refuses.</summary>
    private QuotaDecision Decide(string accountKey, ushort[] cells, SendLimits limits, int wanted, int recipients, long now)
    {
        ref var header = ref AccountCells.Header(cells);
        var last = AccountCells.LastMs(header);
        if (now < last)
        {
            // Another thread read the clock later but took the lock first.
            now = last;
        }

        long longestWaitMs = 0;
        var binding = LimitWindow.None;
        if ((header & AccountCells.ExhaustedFlag) != 0)
        {
            var hold = ActiveHold(accountKey, header, now);
            if (hold is null)
            {
                exhaustions.TryRemove(accountKey, out _);
                header &= ~AccountCells.ExhaustedFlag;
            }
            else
            {
                binding = Later(ref longestWaitMs, binding, hold.UntilMs - now, LimitWindow.ProviderExhausted);
            }
        }

        // Where each window's current bucket sits, kept for the counting pass.
        Span<int> countCells = stackalloc int[QuotaWindows.Count];
        var tracked = AccountCells.Mask(header);
        var sumCell = AccountCells.HeaderCells;
        var ringCell = AccountCells.HeaderCells + (2 * BitOperations.PopCount((uint)tracked));
        var windows = 0;
        for (var bits = tracked; bits != 0; bits &= bits - 1)
        {
            var window = BitOperations.TrailingZeroCount(bits);
            var ring = cells.AsSpan(ringCell, QuotaWindows.RingSize(window));
            ref var sum = ref AccountCells.Sum(cells, sumCell);
            var bucket = QuotaWindows.BucketOf(window, now);
            var lastBucket = QuotaWindows.BucketOf(window, last);
            if (bucket != lastBucket)
            {
                AccountCells.Expire(window, ring, ref sum, lastBucket, bucket);
            }

            var slot = QuotaWindows.SlotOf(window, bucket);
            countCells[windows++] = ringCell + slot;
            if ((wanted & (1 << window)) != 0)
            {
                var needed = window == QuotaWindows.RecipientsDay ? recipients : 1;
                var limit = QuotaWindows.LimitOf(window, limits);
                if ((long)sum + needed > limit || (long)ring[slot] + needed > ushort.MaxValue)
                {
                    var waitMs = AccountCells.WaitMs(window, ring, sum, needed, limit, bucket, now);
                    binding = Later(ref longestWaitMs, binding, waitMs, QuotaWindows.Name(window));
                }
            }

            sumCell += 2;
            ringCell += ring.Length;
        }

        header = AccountCells.WithLastMs(header, now);
        if (binding != LimitWindow.None)
        {
            return new QuotaDecision(binding, new TimeSpan(longestWaitMs * TimeSpan.TicksPerMillisecond));
        }

        // Count in every tracked window, also those the current limits leave unset, so a limit set again
        // later starts from the true count.
        sumCell = AccountCells.HeaderCells;
        windows = 0;
        for (var bits = tracked; bits != 0; bits &= bits - 1)
        {
            ref var count = ref cells[countCells[windows++]];
            var added = Math.Min(BitOperations.TrailingZeroCount(bits) == QuotaWindows.RecipientsDay ? recipients : 1, ushort.MaxValue - count);
            count += (ushort)added;
            AccountCells.Sum(cells, sumCell) += added;
            sumCell += 2;
        }

        return default;
    }

    /// <summary>
    /// Replaces the account's cells with a layout tracking more windows, keeping what the old one counted.
    /// Called under the old cells' lock; callers that held them retry the lookup.
    /// </summary>
    private void Grow(string accountKey, ushort[] old, int mask)
    {
        ref var oldHeader = ref AccountCells.Header(old);
        var grown = AccountCells.Create(mask, AccountCells.LastMs(oldHeader));
        AccountCells.Header(grown) |= oldHeader & AccountCells.ExhaustedFlag;
        var oldMask = AccountCells.Mask(oldHeader);
        int oldSum = AccountCells.HeaderCells, oldRing = AccountCells.HeaderCells + (2 * BitOperations.PopCount((uint)oldMask));
        int newSum = AccountCells.HeaderCells, newRing = AccountCells.HeaderCells + (2 * BitOperations.PopCount((uint)mask));
        for (var bits = mask; bits != 0; bits &= bits - 1)
        {
            var window = BitOperations.TrailingZeroCount(bits);
            var ringSize = QuotaWindows.RingSize(window);
            if ((oldMask & (1 << window)) != 0)
            {
                AccountCells.Sum(grown, newSum) = AccountCells.Sum(old, oldSum);
                old.AsSpan(oldRing, ringSize).CopyTo(grown.AsSpan(newRing, ringSize));
                oldSum += 2;
                oldRing += ringSize;
            }

            newSum += 2;
            newRing += ringSize;
        }

        oldHeader |= AccountCells.EvictedFlag;
        accounts.TryUpdate(accountKey, grown, old);
    }

    private Exhaustion? ActiveHold(string accountKey, long header, long now) =>
        (header & AccountCells.ExhaustedFlag) != 0 && exhaustions.TryGetValue(accountKey, out var hold) && hold.UntilMs > now
            ? hold
            : null;

    /// <summary>Examines the next entries of the round-robin walk and drops the idle ones. Paid by inserts.</summary>
    private void SweepStep(long now)
    {
        if (!sweepGate.TryEnter())
        {
            return;
        }

        try
        {
            for (var examined = 0; examined < SweepPerInsert; examined++)
            {
                if (sweepCursor is null || !sweepCursor.MoveNext())
                {
                    sweepCursor?.Dispose();
                    sweepCursor = accounts.GetEnumerator();
                    if (!sweepCursor.MoveNext())
                    {
                        return;
                    }
                }

                var (key, cells) = sweepCursor.Current;
                TryEvict(key, cells, now);
            }
        }
        finally
        {
            sweepGate.Exit();
        }
    }

    private void TryEvict(string accountKey, ushort[] cells, long now)
    {
        AccountCells.Enter(cells);
        try
        {
            ref var header = ref AccountCells.Header(cells);
            if ((header & AccountCells.EvictedFlag) != 0 || ActiveHold(accountKey, header, now) is not null)
            {
                return;
            }

            // Every bucket of the longest tracked window has left it: the account holds nothing. An entry
            // with no window (a hold about to be recorded) stays at least until the clock moves on.
            var tracked = AccountCells.Mask(header);
            var idleFor = now - AccountCells.LastMs(header);
            if (tracked == 0 ? idleFor <= 0 : idleFor < LongestSpanMs(tracked))
            {
                return;
            }

            // The stale hold goes first: until the entry leaves the dictionary nobody else can record a
            // hold for this key, so a new one is never removed by mistake.
            header |= AccountCells.EvictedFlag;
            exhaustions.TryRemove(accountKey, out _);
            accounts.TryRemove(KeyValuePair.Create(accountKey, cells));
        }
        finally
        {
            AccountCells.Exit(cells);
        }
    }

    private static long LongestSpanMs(int tracked)
    {
        var longest = 31 - BitOperations.LeadingZeroCount((uint)tracked);
        return QuotaWindows.RingSize(longest) * QuotaWindows.BucketMs(longest);
    }

    private sealed record Exhaustion(long UntilMs, string Reason);
}
