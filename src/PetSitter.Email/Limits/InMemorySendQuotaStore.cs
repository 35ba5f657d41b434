using System.Collections.Concurrent;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PetSitter.Email.Extensibility;

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
public sealed class InMemorySendQuotaStore : ISendQuotaStore
{
    /// <summary>
    /// A mailbox the library has not sent through for this long warms up again: senders' guides treat a sender
    /// idle for about a month as cold. The Redis store's history key expires after the same time.
    /// </summary>
    internal static readonly TimeSpan HistoryForgottenAfter = TimeSpan.FromDays(30);

    /// <summary>
    /// Store time starts here rather than at zero so the oldest bucket of any window always has a
    /// non-negative index.
    /// </summary>
    internal const long ClockOffsetMs = 2 * QuotaWindows.LongestSpanMs;

    private const int SweepPerInsert = 2;


    private readonly ConcurrentDictionary<string, ushort[]> _accounts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Exhaustion> _exhaustions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<SendLimits, LimitsTag> _limitsIds = new();

    // Kept apart from the counters: those are dropped a day after the last send, the warm-up needs weeks.
    private readonly ConcurrentDictionary<string, History> _histories = new(StringComparer.Ordinal);
    private readonly bool _remembersRefusals;
    private readonly Lock _sweepGate = new();
    private readonly TimeProvider _timeProvider;
    private readonly long _originTimestamp;
    private readonly long _timestampFrequency;
    private readonly double _msPerTimestampTick;
    private IEnumerator<KeyValuePair<string, ushort[]>>? _sweepCursor;
    private static long _issuedStoreIds;
    private readonly long _id = Interlocked.Increment(ref _issuedStoreIds);
    private LimitsTag? _lastLimits;
    private LimitsTag? _limitsBefore;
    private int _issuedLimitsIds;

    /// <summary>Creates an empty in-process store; a shared store can keep one to answer while its own storage cannot be reached.</summary>
    /// <param name="timeProvider">The clock the windows are counted on.</param>
    // Stryker disable once Boolean : remembering refusals only saves work; every answer equals the full computation (RememberedRefusalTests compares the two)
    public InMemorySendQuotaStore(TimeProvider timeProvider)
        : this(timeProvider, rememberRefusals: true)
    {
    }

    /// <summary>Creates a store; without <paramref name="rememberRefusals"/> every refusal is computed in full (tests compare the two).</summary>
    internal InMemorySendQuotaStore(TimeProvider timeProvider, bool rememberRefusals)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        // Stryker disable once Logical : on the 64-bit processes the tests run in, || only makes the test-only full store remember too, which changes no answer; a 32-bit host is not tested
        _remembersRefusals = rememberRefusals && Environment.Is64BitProcess;
        _timeProvider = timeProvider;
        _originTimestamp = timeProvider.GetTimestamp();
        _timestampFrequency = timeProvider.TimestampFrequency;
        _msPerTimestampTick = 1000.0 / _timestampFrequency;
    }

    /// <summary>Gets how many accounts the store holds counters for.</summary>
    internal int TrackedAccounts => _accounts.Count;

    /// <inheritdoc/>
    public ValueTask<QuotaDecision> TryAcquireAsync(string accountKey, SendLimits limits, int recipients, CancellationToken cancellationToken = default) =>
        cancellationToken.IsCancellationRequested
            ? ValueTask.FromCanceled<QuotaDecision>(cancellationToken)
            : new ValueTask<QuotaDecision>(TryAcquire(accountKey, limits, recipients));

    /// <inheritdoc/>
    public ValueTask<QuotaDecision> PeekAsync(string accountKey, SendLimits limits, int recipients, CancellationToken cancellationToken = default) =>
        cancellationToken.IsCancellationRequested
            ? ValueTask.FromCanceled<QuotaDecision>(cancellationToken)
            : new ValueTask<QuotaDecision>(Peek(accountKey, limits, recipients));

    /// <inheritdoc/>
    public ValueTask MarkExhaustedAsync(string accountKey, DateTimeOffset until, string reason, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        MarkExhausted(accountKey, until, reason);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask<QuotaSnapshot?> GetAsync(string accountKey, CancellationToken cancellationToken = default) =>
        cancellationToken.IsCancellationRequested
            ? ValueTask.FromCanceled<QuotaSnapshot?>(cancellationToken)
            : new ValueTask<QuotaSnapshot?>(Get(accountKey));

    /// <inheritdoc/>
    public ValueTask<DateTimeOffset?> GetHistoryStartAsync(string accountKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(accountKey);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<DateTimeOffset?>(cancellationToken);
        }

        var now = _timeProvider.GetUtcNow();
        var history = _histories.AddOrUpdate(
            accountKey,
            static (_, now) => new History(now, now),
            static (_, known, now) => now - known.LastSeen > HistoryForgottenAfter ? new History(now, now) : known with { LastSeen = now },
            now);
        return new ValueTask<DateTimeOffset?>(history.Start);
    }

    /// <summary>The synchronous <see cref="TryAcquireAsync"/>: a shared store answering from this one while its own storage is away need not allocate a task.</summary>
    /// <param name="accountKey">The account.</param>
    /// <param name="limits">The account's limits.</param>
    /// <param name="recipients">The send's recipients.</param>
    /// <returns>The decision.</returns>
    public QuotaDecision TryAcquire(string accountKey, SendLimits limits, int recipients)
    {
        if (NeverPasses(accountKey, limits, recipients, out var never))
        {
            return never;
        }

        ushort[]? used = null;
        return Acquire(accountKey, null, limits, recipients, NowMs(), ref used);
    }

    /// <summary>
    /// <see cref="TryAcquire(string, SendLimits, int)"/> for the account of a settings instance, through the cells cached
    /// on it (see <see cref="Cached"/>): resolved by key the first time, and again when the sweep dropped the account or
    /// its cells grew.
    /// </summary>
    /// <param name="account">The settings instance; its limit key is the account.</param>
    /// <param name="limits">The account's limits.</param>
    /// <param name="recipients">The send's recipients.</param>
    /// <returns>The decision.</returns>
    internal QuotaDecision TryAcquire(SmtpAccountSettings account, SendLimits limits, int recipients)
    {
        var accountKey = account.LimitKey();
        if (NeverPasses(accountKey, limits, recipients, out var never))
        {
            return never;
        }

        var known = Cached(account);
        var now = NowMs();

        // A repeated refusal is answered here, before the call into the check proper (which would find the same).
        if (known is not null && _remembersRefusals && StillRefused(known, limits, recipients, now, out var refusal))
        {
            return refusal;
        }

        var used = known;
        var decision = Acquire(accountKey, known, limits, recipients, now, ref used);
        Remember(account, known, used);
        return decision;
    }

    /// <summary>
    /// <see cref="Peek(string, SendLimits, int)"/> for the account of a settings instance, through the cells cached on it
    /// (see <see cref="TryAcquire(SmtpAccountSettings, SendLimits, int)"/>).
    /// </summary>
    /// <param name="account">The settings instance; its limit key is the account.</param>
    /// <param name="limits">The account's limits.</param>
    /// <param name="recipients">The send's recipients.</param>
    /// <returns>The decision.</returns>
    internal QuotaDecision Peek(SmtpAccountSettings account, SendLimits limits, int recipients)
    {
        var accountKey = account.LimitKey();
        if (NeverPasses(accountKey, limits, recipients, out var never))
        {
            return never;
        }

        var known = Cached(account);
        var decision = Look(accountKey, known, limits, recipients, out var used);
        Remember(account, known, used);
        return decision;
    }

    /// <summary>
    /// The cells cached on a settings instance, when this store claimed it. Only the first store that checks an instance
    /// claims it (its id, never reused, set once), so only that store ever writes the cells there: a reader never
    /// pairs one store's id with another's cells, and nothing is allocated to cache them. The cells may be evicted
    /// since: the check notices under their lock (see <see cref="Acquire"/>).
    /// </summary>
    // Stryker disable once Conditional : never using the cached cells only resolves the account by key each time, to the same live entry
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ushort[]? Cached(SmtpAccountSettings account) =>
        Volatile.Read(ref account.QuotaStoreId) == _id ? Volatile.Read(ref account.QuotaCells) : null;

    /// <summary>Caches the live cells a check used on the settings instance, claiming it when no store has.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Remember(SmtpAccountSettings account, ushort[]? known, ushort[]? used)
    {
        // Stryker disable once Logical : used is null only after cells this store had cached were dropped: caching null then makes the next check resolve by key, as it would anyway
        if (used is not null && !ReferenceEquals(used, known)
            && (Volatile.Read(ref account.QuotaStoreId) == _id || Interlocked.CompareExchange(ref account.QuotaStoreId, _id, 0) == 0))
        {
            Volatile.Write(ref account.QuotaCells, used);
        }
    }

    /// <summary>
    /// The check proper: from <paramref name="known"/> cells when given, else from the dictionary; evicted or outgrown
    /// cells send it back to the dictionary. <paramref name="used"/> is the live entry the decision was made on, written
    /// only when it is not the entry it already holds (the usual cached check then pays no write barrier).
    /// </summary>
    // Not inlined into its callers: as a root of its own, the JIT's inlining budget covers the lock, the clock and every
    // window's arithmetic (TryCount). Inlined into a caller that had inlined the settings path, the budget ran out and
    // small helpers (AggressiveInlining ones and generic-math conversions too) became calls: 57 ns an allowed check in
    // SendLimitBenchmarks against about 35 ns now. The full decision stays out of line for the same reason.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private QuotaDecision Acquire(string accountKey, ushort[]? known, SendLimits limits, int recipients, long now, ref ushort[]? used)
    {
        var wanted = QuotaWindows.MaskOf(limits);
        var cells = known;
        while (true)
        {
            if (cells is null && !_accounts.TryGetValue(accountKey, out cells))
            {
                if (wanted == 0)
                {
                    // Nothing to count and no provider hold recorded (a hold creates the entry).
                    used = null;
                    return QuotaDecision.Allow();
                }

                cells = AccountCells.Create(wanted, now);
                if (!_accounts.TryAdd(accountKey, cells))
                {
                    cells = null;
                    continue;
                }

                SweepStep(now);
            }
            else if (_remembersRefusals && StillRefused(cells, limits, recipients, now, out var refusal))
            {
                Use(ref used, cells);
                return refusal;
            }

            var locked = cells;
            AccountCells.Enter(locked);
            try
            {
                var header = AccountCells.Header(cells);
                if ((header & AccountCells.EvictedFlag) != 0)
                {
                    cells = null;
                    continue;
                }

                var tracked = AccountCells.Mask(header);
                if ((wanted & ~tracked) != 0)
                {
                    Grow(accountKey, cells, tracked | wanted);
                    cells = null;
                    continue;
                }

                Use(ref used, cells);
                return Decide(accountKey, cells, limits, wanted, recipients, now, charge: true);
            }
            finally
            {
                AccountCells.Exit(locked);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Use(ref ushort[]? used, ushort[] cells)
    {
        if (!ReferenceEquals(used, cells))
        {
            used = cells;
        }
    }

    /// <summary>
    /// Checks the arguments of a check or a look, and refuses a send with more recipients than a message (or a whole
    /// day) may have: no wait helps it, so nothing is counted.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool NeverPasses(string accountKey, SendLimits limits, int recipients, out QuotaDecision refusal)
    {
        ArgumentNullException.ThrowIfNull(accountKey);
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentOutOfRangeException.ThrowIfLessThan(recipients, 1);
        if (recipients > limits.RecipientsPerMessage || recipients > limits.RecipientsPerDay)
        {
            refusal = QuotaDecision.Refuse(LimitWindow.RecipientsPerMessage, TimeSpan.Zero);
            return true;
        }

        refusal = default;
        return false;
    }

    /// <summary>Decides as <see cref="TryAcquire(string, SendLimits, int)"/> would, counting nothing; an unknown account is not added.</summary>
    /// <param name="accountKey">The account.</param>
    /// <param name="limits">The account's limits.</param>
    /// <param name="recipients">The send's recipients.</param>
    /// <returns>The decision.</returns>
    public QuotaDecision Peek(string accountKey, SendLimits limits, int recipients) =>
        NeverPasses(accountKey, limits, recipients, out var never) ? never : Look(accountKey, null, limits, recipients, out _);

    /// <summary>The look proper, as <see cref="Acquire"/> is the check.</summary>
    private QuotaDecision Look(string accountKey, ushort[]? known, SendLimits limits, int recipients, out ushort[]? used)
    {
        var wanted = QuotaWindows.MaskOf(limits);
        var now = NowMs();
        var cells = known;
        while (true)
        {
            if (cells is null && !_accounts.TryGetValue(accountKey, out cells))
            {
                // Nothing counted and no provider hold: every window has room.
                used = null;
                return QuotaDecision.Allow();
            }

            if (_remembersRefusals && StillRefused(cells, limits, recipients, now, out var refusal))
            {
                used = cells;
                return refusal;
            }

            var locked = cells;
            AccountCells.Enter(locked);
            try
            {
                if ((AccountCells.Header(cells) & AccountCells.EvictedFlag) != 0)
                {
                    cells = null;
                    continue;
                }

                // A wanted window not tracked yet has counted nothing, so it allows: no need to grow the cells.
                used = cells;
                return Decide(accountKey, cells, limits, wanted, recipients, now, charge: false);
            }
            finally
            {
                AccountCells.Exit(locked);
            }
        }
    }

    /// <summary>The synchronous <see cref="MarkExhaustedAsync"/>.</summary>
    /// <param name="accountKey">The account.</param>
    /// <param name="until">When the provider's limit ends.</param>
    /// <param name="reason">Why, for the snapshot.</param>
    public void MarkExhausted(string accountKey, DateTimeOffset until, string reason)
    {
        ArgumentNullException.ThrowIfNull(accountKey);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        var now = NowMs();
        var untilMs = now + (long)Math.Ceiling((until - _timeProvider.GetUtcNow()).TotalMilliseconds);
        if (untilMs <= now)
        {
            return;
        }

        while (true)
        {
            if (!_accounts.TryGetValue(accountKey, out var cells))
            {
                cells = AccountCells.Create(0, now);
                if (!_accounts.TryAdd(accountKey, cells))
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

                // A later hold wins; an earlier one never shortens a hold still running. (A hold that has ended is
                // always earlier: this one ends after now.)
                if (!_exhaustions.TryGetValue(accountKey, out var existing) || existing.UntilMs < untilMs)
                {
                    _exhaustions[accountKey] = new Exhaustion(untilMs, reason);
                }

                header |= AccountCells.ExhaustedFlag;

                // The remembered refusal did not know about this hold.
                AccountCells.Refusal(cells) = 0;
                return;
            }
            finally
            {
                AccountCells.Exit(cells);
            }
        }
    }

    /// <summary>The synchronous <see cref="GetAsync"/>.</summary>
    /// <param name="accountKey">The account.</param>
    /// <returns>The account's counts, or <see langword="null"/> for an account this store does not know.</returns>
    public QuotaSnapshot? Get(string accountKey)
    {
        ArgumentNullException.ThrowIfNull(accountKey);
        if (!_accounts.TryGetValue(accountKey, out var cells))
        {
            return null;
        }

        var now = NowMs();
        var asOf = _timeProvider.GetUtcNow();
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
            var sumCell = AccountCells.SumCells;
            var ringCell = AccountCells.SumCells + (2 * BitOperations.PopCount((uint)tracked));
            for (var bits = tracked; bits != 0; bits &= bits - 1)
            {
                var window = BitOperations.TrailingZeroCount(bits);
                ref var sum = ref AccountCells.Sum(cells, sumCell);
                var lastBucket = QuotaWindows.BucketOf(window, last);
                var bucket = QuotaWindows.BucketOf(window, now);
                if (window == QuotaWindows.Second)
                {
                    AccountCells.Expire(window, AccountCells.ByteRing(cells, ringCell), ref sum, lastBucket, bucket);
                }
                else
                {
                    AccountCells.Expire(window, AccountCells.WordRing(cells, ringCell, window), ref sum, lastBucket, bucket);
                }

                counts[window] = sum;
                sumCell += 2;
                ringCell += AccountCells.RingCells(window);
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
        var elapsed = _timeProvider.GetTimestamp() - _originTimestamp;
        return ClockOffsetMs + _timestampFrequency switch
        {
            1_000_000_000 => elapsed / 1_000_000,
            10_000_000 => elapsed / 10_000,
            _ => (long)(elapsed * _msPerTimestampTick),
        };
    }

    /// <summary>
    /// The refusal fast path: the account's remembered refusal still holds for these limits and recipients
    /// at this instant, so the answer is the one the full computation gives (see <see cref="Decide"/>)
    /// without taking the lock or touching a window.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool StillRefused(ushort[] cells, SendLimits limits, int recipients, long now, out QuotaDecision decision)
    {
        // A locked header means an update in progress (it may clear the refusal): take the slow path and wait.
        var header = Volatile.Read(ref AccountCells.Header(cells));
        var refusal = Volatile.Read(ref AccountCells.Refusal(cells));

        // Stryker disable once Equality : a zero word holds an instant already past, so going on gives the same miss, later
        if (refusal == 0)
        {
            decision = default;
            return false;
        }

        now = Math.Max(now, AccountCells.LastMs(header));

        // Stryker disable once Bitwise : header | flags is never zero, so that mutant only misses every time (the flags' own & is pinned by CachedAccountCellsTests)
        if ((header & (AccountCells.LockedFlag | AccountCells.EvictedFlag)) != 0
            || now >= AccountCells.RefusalUntil(refusal)
            || (AccountCells.RefusalRecipients(refusal) is var counted && counted != 0 && counted != recipients)
            || AccountCells.RefusalLimitsId(refusal) != LimitsId(limits))
        {
            decision = default;
            return false;
        }

        decision = new QuotaDecision(AccountCells.RefusalWindow(refusal), new TimeSpan((AccountCells.RefusalUntil(refusal) - now) * TimeSpan.TicksPerMillisecond));

        // Stryker disable once Boolean : a miss sends the check to the full computation, which gives this same answer
        return true;
    }

    /// <summary>
    /// A small number standing for these limits' values, the same for equal limits, so a remembered refusal
    /// can be matched without holding a reference; 0 once <see cref="AccountCells.MaxLimitsId"/> distinct
    /// limits have been seen (refusals are then computed in full).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int LimitsId(SendLimits limits)
    {
        var last = Volatile.Read(ref _lastLimits);
        if (last is not null && ReferenceEquals(last.Limits, limits))
        {
            return last.Id;
        }

        // Two recent instances: an account's direct mail and its marketing (its share of the limits) alternate.
        var before = Volatile.Read(ref _limitsBefore);

        // Stryker disable once Conditional : the slow path finds the same number in the table
        return before is not null && ReferenceEquals(before.Limits, limits) ? before.Id : LimitsIdSlow(limits);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private int LimitsIdSlow(SendLimits limits)
    {
        if (!_limitsIds.TryGetValue(limits, out var tag))
        {
            // Stryker disable once Equality,Boolean : < and its negation never issue a number, so no refusal is remembered and every answer is computed in full; > (one number too many, one allocation) is pinned by RefusalMemoryTests
            if (Volatile.Read(ref _issuedLimitsIds) >= AccountCells.MaxLimitsId)
            {
                return 0;
            }

            tag = _limitsIds.GetOrAdd(limits, static (key, store) => new LimitsTag(key, Interlocked.Increment(ref store._issuedLimitsIds)), this);
        }

        // Stryker disable once Equality,Boolean : only a race between first refusals issues a number above MaxLimitsId (PackRefusal stores none); the mutants only stop numbers at or below it being remembered
        if (tag.Id > AccountCells.MaxLimitsId)
        {
            return 0;
        }

        // Only the instance the tag holds is matched by reference, so this never allocates.
        // Stryker disable once Boolean : the recent-limits cache only saves the table lookup; negated, the tag's own instance always takes the slow path to the same number
        if (ReferenceEquals(tag.Limits, limits))
        {
            Volatile.Write(ref _limitsBefore, Volatile.Read(ref _lastLimits));
            Volatile.Write(ref _lastLimits, tag);
        }

        return tag.Id;
    }

    /// <summary>
    /// Decides under the account's lock: brings every tracked window up to date, then counts or refuses.
    /// </summary>
    /// <remarks>
    /// A refusal is remembered as the instant it ends. Until then, with the same limits and recipients and
    /// nothing counted, this computation gives the same answer at any later time: each refusing window's
    /// end is the absolute instant its freeing bucket leaves the window (or its full bucket ends), which does
    /// not move while the clock advances towards it, and a window that allowed cannot start refusing with
    /// nothing counted. Counting, a new hold and new cells (growth, eviction) forget it.
    /// </remarks>
    private QuotaDecision Decide(string accountKey, ushort[] cells, SendLimits limits, int wanted, int recipients, long now, bool charge)
    {
        ref var header = ref AccountCells.Header(cells);
        var last = AccountCells.LastMs(header);

        // Stryker disable once Equality : at now == last the assignment changes nothing
        if (now < last)
        {
            // Another thread read the clock later but took the lock first.
            now = last;
        }

        // The usual send: no provider hold and room in every window. Counted in a short pass that prepares no
        // refusal; anything else (a hold, a window without room, a full bucket, a look) is decided in full.
        if (charge && (header & AccountCells.ExhaustedFlag) == 0 && TryCount(cells, header, limits, wanted, recipients, now, last))
        {
            header = AccountCells.WithLastMs(header, now);
            ref var remembered = ref AccountCells.Refusal(cells);

            // Counting forgets the remembered refusal (see the remarks); most sends find none to forget.
            if (remembered != 0)
            {
                remembered = 0;
            }

            return default;
        }

        return DecideInFull(accountKey, cells, limits, wanted, recipients, now, charge);
    }

    /// <summary>
    /// Counts a send in every tracked window when each has room, in two short passes: each window brought up to date
    /// and checked, then, only when all have room, the send counted in each. Returns <see langword="false"/> having
    /// counted nothing when a limited window lacks room or a bucket is full: the full decision then brings the
    /// windows up to date again, which changes nothing (the buckets that left are already cleared).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryCount(ushort[] cells, long header, SendLimits limits, int wanted, int recipients, long now, long last)
    {
        var tracked = AccountCells.Mask(header);

        // Every bucket width divides the next: within one per-second bucket no window has moved on.
        var moved = QuotaWindows.BucketOf(QuotaWindows.Second, now) != QuotaWindows.BucketOf(QuotaWindows.Second, last);
        ref var first = ref MemoryMarshal.GetArrayDataReference(cells);
        var sumCell = AccountCells.SumCells;
        var ringCell = AccountCells.SumCells + (2 * BitOperations.PopCount((uint)tracked));
        int secondSlot = 0, minuteSlot = 0, hourSlot = 0, daySlot = 0, recipientsSlot = 0;

        // The cells' length follows from the tracked windows (AccountCells.Length), so the offsets below stay inside.
        if ((tracked & (1 << QuotaWindows.Second)) != 0)
        {
            if (!Fits<byte>(QuotaWindows.Second, ref first, sumCell, ringCell, now, last, moved, limits, wanted, 1, out secondSlot))
            {
                return false;
            }

            sumCell += 2;
            ringCell += AccountCells.RingCells(QuotaWindows.Second);
        }

        if ((tracked & (1 << QuotaWindows.Minute)) != 0)
        {
            if (!Fits<ushort>(QuotaWindows.Minute, ref first, sumCell, ringCell, now, last, moved, limits, wanted, 1, out minuteSlot))
            {
                return false;
            }

            sumCell += 2;
            ringCell += AccountCells.RingCells(QuotaWindows.Minute);
        }

        if ((tracked & (1 << QuotaWindows.Hour)) != 0)
        {
            if (!Fits<ushort>(QuotaWindows.Hour, ref first, sumCell, ringCell, now, last, moved, limits, wanted, 1, out hourSlot))
            {
                return false;
            }

            sumCell += 2;
            ringCell += AccountCells.RingCells(QuotaWindows.Hour);
        }

        if ((tracked & (1 << QuotaWindows.Day)) != 0)
        {
            if (!Fits<ushort>(QuotaWindows.Day, ref first, sumCell, ringCell, now, last, moved, limits, wanted, 1, out daySlot))
            {
                return false;
            }

            sumCell += 2;
            ringCell += AccountCells.RingCells(QuotaWindows.Day);
        }

        if ((tracked & (1 << QuotaWindows.RecipientsDay)) != 0
            && !Fits<ushort>(QuotaWindows.RecipientsDay, ref first, sumCell, ringCell, now, last, moved, limits, wanted, recipients, out recipientsSlot))
        {
            return false;
        }

        sumCell = AccountCells.SumCells;
        ringCell = AccountCells.SumCells + (2 * BitOperations.PopCount((uint)tracked));
        if ((tracked & (1 << QuotaWindows.Second)) != 0)
        {
            Count<byte>(ref first, sumCell, ringCell, secondSlot, 1);
            sumCell += 2;
            ringCell += AccountCells.RingCells(QuotaWindows.Second);
        }

        if ((tracked & (1 << QuotaWindows.Minute)) != 0)
        {
            Count<ushort>(ref first, sumCell, ringCell, minuteSlot, 1);
            sumCell += 2;
            ringCell += AccountCells.RingCells(QuotaWindows.Minute);
        }

        if ((tracked & (1 << QuotaWindows.Hour)) != 0)
        {
            Count<ushort>(ref first, sumCell, ringCell, hourSlot, 1);
            sumCell += 2;
            ringCell += AccountCells.RingCells(QuotaWindows.Hour);
        }

        if ((tracked & (1 << QuotaWindows.Day)) != 0)
        {
            Count<ushort>(ref first, sumCell, ringCell, daySlot, 1);
            sumCell += 2;
            ringCell += AccountCells.RingCells(QuotaWindows.Day);
        }

        if ((tracked & (1 << QuotaWindows.RecipientsDay)) != 0)
        {
            Count<ushort>(ref first, sumCell, ringCell, recipientsSlot, recipients);
        }

        return true;
    }

    /// <summary>
    /// One window of <see cref="TryCount"/>'s first pass: brings it up to date and tells whether
    /// <paramref name="needed"/> more fit, both under its limit (when the limits set one) and in the current bucket,
    /// whose ring slot is <paramref name="slot"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Fits<T>(int window, ref ushort first, int sumCell, int ringCell, long now, long last, bool moved, SendLimits limits, int wanted, int needed, out int slot)
        where T : unmanaged, IBinaryInteger<T>
    {
        ref var sum = ref Unsafe.As<ushort, int>(ref Unsafe.Add(ref first, sumCell));
        ref var ring = ref Unsafe.As<ushort, T>(ref Unsafe.Add(ref first, ringCell));
        var bucket = QuotaWindows.BucketOf(window, now);
        if (moved && sum != 0)
        {
            var lastBucket = QuotaWindows.BucketOf(window, last);
            if (lastBucket != bucket)
            {
                AccountCells.Expire(window, MemoryMarshal.CreateSpan(ref ring, QuotaWindows.RingSize(window)), ref sum, lastBucket, bucket);
            }
        }

        // An unset limit still counts (see DecideInFull), but only a full bucket stops it: the full decision saturates it.
        slot = QuotaWindows.SlotOf(window, bucket);
        return int.CreateTruncating(Unsafe.Add(ref ring, slot)) + needed <= AccountCells.CellMax(window)
            && ((wanted & (1 << window)) == 0 || (long)sum + needed <= QuotaWindows.LimitOf(window, limits));
    }

    /// <summary>One window of <see cref="TryCount"/>'s second pass: counts the send in the slot <see cref="Fits"/> found room in.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Count<T>(ref ushort first, int sumCell, int ringCell, int slot, int needed)
        where T : unmanaged, IBinaryInteger<T>
    {
        ref var bucket = ref Unsafe.Add(ref Unsafe.As<ushort, T>(ref Unsafe.Add(ref first, ringCell)), slot);
        bucket += T.CreateTruncating(needed);
        Unsafe.As<ushort, int>(ref Unsafe.Add(ref first, sumCell)) += needed;
    }

    /// <summary>The decision with every case: a provider hold, refusals and their waits, a look that counts nothing.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private QuotaDecision DecideInFull(string accountKey, ushort[] cells, SendLimits limits, int wanted, int recipients, long now, bool charge)
    {
        ref var header = ref AccountCells.Header(cells);
        var last = AccountCells.LastMs(header);

        // Stryker disable once Equality : at now == last the assignment changes nothing
        if (now < last)
        {
            // Another thread read the clock later but took the lock first.
            now = last;
        }

        long longestWaitMs = 0;
        var binding = LimitWindow.None;

        // Stryker disable once Bitwise : the flag is set exactly while a hold is recorded; without it ActiveHold finds none and the removal finds nothing, the same answer with a dictionary lookup more
        if ((header & AccountCells.ExhaustedFlag) != 0)
        {
            var hold = ActiveHold(accountKey, header, now);
            if (hold is null)
            {
                _exhaustions.TryRemove(accountKey, out _);
                header &= ~AccountCells.ExhaustedFlag;
            }
            else
            {
                binding = Later(ref longestWaitMs, binding, hold.UntilMs - now, LimitWindow.ProviderExhausted);
            }
        }

        // Every bucket width divides the next: within one per-second bucket no window has moved on.
        var moved = QuotaWindows.BucketOf(QuotaWindows.Second, now) != QuotaWindows.BucketOf(QuotaWindows.Second, last);
        // Stryker disable once Boolean : false only stops refusals being remembered; every answer is then computed in full
        var rememberable = true;

        // One pass: each window is brought up to date, checked and, while nothing has refused, counted at
        // once (in every tracked window, also those the current limits leave unset, so a limit set again
        // later starts from the true count). A later refusal takes back what was added. The windows are
        // written out one by one so each call sees a constant window and its bucket maths folds away.
        var added = default(WindowCounts);
        var tracked = AccountCells.Mask(header);
        var sumCell = AccountCells.SumCells;
        var ringCell = AccountCells.SumCells + (2 * BitOperations.PopCount((uint)tracked));
        long waitMs;

        // Stryker disable once Bitwise : the per-second window is bit 0, and 1 shifted by 0 either way is 1 (the & is pinned)
        if ((tracked & (1 << QuotaWindows.Second)) != 0)
        {
            waitMs = Step(QuotaWindows.Second, cells, sumCell, ringCell, now, last, moved, limits, wanted, recipients, charge && binding == LimitWindow.None, ref added.Second);

            // Stryker disable once Equality : a wait of 0 never becomes the longest; it can only mark the refusal not to be remembered
            if (waitMs > 0)
            {
                binding = Refused(QuotaWindows.Second, waitMs, binding, ref longestWaitMs, ref rememberable, limits, recipients);
            }

            sumCell += 2;
            ringCell += AccountCells.RingCells(QuotaWindows.Second);
        }

        if ((tracked & (1 << QuotaWindows.Minute)) != 0)
        {
            waitMs = Step(QuotaWindows.Minute, cells, sumCell, ringCell, now, last, moved, limits, wanted, recipients, charge && binding == LimitWindow.None, ref added.Minute);

            // Stryker disable once Equality : a wait of 0 never becomes the longest; it can only mark the refusal not to be remembered
            if (waitMs > 0)
            {
                binding = Refused(QuotaWindows.Minute, waitMs, binding, ref longestWaitMs, ref rememberable, limits, recipients);
            }

            sumCell += 2;
            ringCell += AccountCells.RingCells(QuotaWindows.Minute);
        }

        if ((tracked & (1 << QuotaWindows.Hour)) != 0)
        {
            waitMs = Step(QuotaWindows.Hour, cells, sumCell, ringCell, now, last, moved, limits, wanted, recipients, charge && binding == LimitWindow.None, ref added.Hour);

            // Stryker disable once Equality : a wait of 0 never becomes the longest; it can only mark the refusal not to be remembered
            if (waitMs > 0)
            {
                binding = Refused(QuotaWindows.Hour, waitMs, binding, ref longestWaitMs, ref rememberable, limits, recipients);
            }

            sumCell += 2;
            ringCell += AccountCells.RingCells(QuotaWindows.Hour);
        }

        if ((tracked & (1 << QuotaWindows.Day)) != 0)
        {
            waitMs = Step(QuotaWindows.Day, cells, sumCell, ringCell, now, last, moved, limits, wanted, recipients, charge && binding == LimitWindow.None, ref added.Day);

            // Stryker disable once Equality : a wait of 0 never becomes the longest; it can only mark the refusal not to be remembered
            if (waitMs > 0)
            {
                binding = Refused(QuotaWindows.Day, waitMs, binding, ref longestWaitMs, ref rememberable, limits, recipients);
            }

            sumCell += 2;
            ringCell += AccountCells.RingCells(QuotaWindows.Day);
        }

        if ((tracked & (1 << QuotaWindows.RecipientsDay)) != 0)
        {
            waitMs = Step(QuotaWindows.RecipientsDay, cells, sumCell, ringCell, now, last, moved, limits, wanted, recipients, charge && binding == LimitWindow.None, ref added.RecipientsDay);

            // Stryker disable once Equality : a wait of 0 never becomes the longest; it can only mark the refusal not to be remembered
            if (waitMs > 0)
            {
                binding = Refused(QuotaWindows.RecipientsDay, waitMs, binding, ref longestWaitMs, ref rememberable, limits, recipients);
            }
        }

        header = AccountCells.WithLastMs(header, now);
        ref var remembered = ref AccountCells.Refusal(cells);
        if (binding != LimitWindow.None)
        {
            TakeBack(cells, tracked, added, now);

            // Stryker disable once Conditional,Arithmetic,Bitwise : never remembering, an instant already past, or naming the recipients when the day's recipients are unlimited only make the refusal match fewer checks (the other mutants here are pinned by RefusalMemoryTests)
            remembered = _remembersRefusals && rememberable
                ? AccountCells.PackRefusal(now + longestWaitMs, LimitsId(limits), (wanted & (1 << QuotaWindows.RecipientsDay)) != 0 ? recipients : 0, binding)
                : 0;
            return new QuotaDecision(binding, new TimeSpan(longestWaitMs * TimeSpan.TicksPerMillisecond));
        }

        if (charge)
        {
            remembered = 0;
        }

        return default;
    }

    /// <summary>Undoes the counts a refused check added before a later window refused.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void TakeBack(ushort[] cells, int tracked, in WindowCounts added, long now)
    {
        var sumCell = AccountCells.SumCells;
        var ringCell = AccountCells.SumCells + (2 * BitOperations.PopCount((uint)tracked));
        for (var bits = tracked; bits != 0; bits &= bits - 1)
        {
            var window = BitOperations.TrailingZeroCount(bits);
            var count = added.Of(window);
            if (count != 0)
            {
                var slot = QuotaWindows.SlotOf(window, QuotaWindows.BucketOf(window, now));
                if (window == QuotaWindows.Second)
                {
                    AccountCells.ByteRing(cells, ringCell)[slot] -= (byte)count;
                }
                else
                {
                    AccountCells.WordRing(cells, ringCell, window)[slot] -= (ushort)count;
                }

                AccountCells.Sum(cells, sumCell) -= count;
            }

            sumCell += 2;
            ringCell += AccountCells.RingCells(window);
        }
    }

    /// <summary>
    /// One window of <see cref="Decide"/>: brings it up to date, checks it and, when <paramref name="count"/>
    /// and it allows, counts the send in it (<paramref name="added"/>). Returns how long it refuses, or 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long Step(int window, ushort[] cells, int sumCell, int ringCell, long now, long last, bool moved, SendLimits limits, int wanted, int recipients, bool count, ref int added)
    {
        ref var sum = ref AccountCells.Sum(cells, sumCell);
        var bucket = QuotaWindows.BucketOf(window, now);
        // Stryker disable once Conditional : within one per-second bucket every window's bucket of last is that of now
        var lastBucket = moved ? QuotaWindows.BucketOf(window, last) : bucket;
        var slot = QuotaWindows.SlotOf(window, bucket);
        var limited = (wanted & (1 << window)) != 0;
        var needed = window == QuotaWindows.RecipientsDay ? recipients : 1;
        // Stryker disable once Conditional : an unset limit reads as 0 either way
        var limit = limited ? QuotaWindows.LimitOf(window, limits) : 0;
        long waitMs;
        if (window == QuotaWindows.Second)
        {
            var ring = AccountCells.ByteRing(cells, ringCell);
            waitMs = Bring(window, ring, ref sum, lastBucket, bucket, slot, limited, needed, limit, now);
            if (waitMs == 0 && count)
            {
                added = AccountCells.Add(ring, slot, ref sum, needed, byte.MaxValue);
            }
        }
        else
        {
            var ring = AccountCells.WordRing(cells, ringCell, window);
            waitMs = Bring(window, ring, ref sum, lastBucket, bucket, slot, limited, needed, limit, now);
            if (waitMs == 0 && count)
            {
                added = AccountCells.Add(ring, slot, ref sum, needed, ushort.MaxValue);
            }
        }

        return waitMs;
    }

    /// <summary>Notes a refusing window: the longest wait names the refusal.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static LimitWindow Refused(int window, long waitMs, LimitWindow binding, ref long longestWaitMs, ref bool rememberable, SendLimits limits, int recipients)
    {
        // A limit below what one send needs never frees: its end moves with the clock.
        // Stryker disable once Equality,Conditional : needed < limit, or the recipients on every window, only remember fewer refusals (after NeverPasses a day's recipient limit always fits the message); > is pinned by RefusalMemoryTests
        rememberable &= (window == QuotaWindows.RecipientsDay ? recipients : 1) <= QuotaWindows.LimitOf(window, limits);
        return Later(ref longestWaitMs, binding, waitMs, QuotaWindows.Name(window));
    }

    /// <summary>Brings one window up to date and returns how long it refuses (0 when it allows or is not limited).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long Bring<T>(int window, Span<T> ring, ref int sum, long lastBucket, long bucket, int slot, bool limited, int needed, int limit, long now)
        where T : unmanaged, IBinaryInteger<T>
    {
        if (bucket != lastBucket)
        {
            AccountCells.Expire(window, ring, ref sum, lastBucket, bucket);
        }

        // Stryker disable once Equality : at equality WaitMs finds nothing to wait for (no excess, the bucket not full) and returns 0 too
        if (limited && ((long)sum + needed > limit || int.CreateTruncating(ring[slot]) + needed > AccountCells.CellMax(window)))
        {
            return AccountCells.WaitMs<T>(window, ring, sum, needed, limit, bucket, now);
        }

        return 0;
    }

    /// <summary>
    /// Replaces the account's cells with a layout tracking more windows, keeping what the old one counted.
    /// Called under the old cells' lock; callers that held them retry the lookup.
    /// </summary>
    private void Grow(string accountKey, ushort[] old, int mask)
    {
        ref var oldHeader = ref AccountCells.Header(old);
        var grown = AccountCells.Create(mask, AccountCells.LastMs(oldHeader));
        // Stryker disable once Assignment : the new header's flag bit is clear, so ^ sets it as | does
        AccountCells.Header(grown) |= oldHeader & AccountCells.ExhaustedFlag;
        var oldMask = AccountCells.Mask(oldHeader);
        int oldSum = AccountCells.SumCells, oldRing = AccountCells.SumCells + (2 * BitOperations.PopCount((uint)oldMask));
        int newSum = AccountCells.SumCells, newRing = AccountCells.SumCells + (2 * BitOperations.PopCount((uint)mask));
        for (var bits = mask; bits != 0; bits &= bits - 1)
        {
            var window = BitOperations.TrailingZeroCount(bits);
            var ringSize = AccountCells.RingCells(window);
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

        // Stryker disable once Assignment : the flag is clear here (the caller checked it under this lock), so ^ sets it as | does; &= is pinned by CachedAccountCellsTests
        oldHeader |= AccountCells.EvictedFlag;
        _accounts.TryUpdate(accountKey, grown, old);
    }

    // Stryker disable once Bitwise : the flag is set exactly while a hold is recorded, so without the test the lookup finds the same
    private Exhaustion? ActiveHold(string accountKey, long header, long now) =>
        (header & AccountCells.ExhaustedFlag) != 0 && _exhaustions.TryGetValue(accountKey, out var hold) && hold.UntilMs > now
            ? hold
            : null;

    /// <summary>Examines the next entries of the round-robin walk and drops the idle ones. Paid by inserts.</summary>
    private void SweepStep(long now)
    {
        if (!_sweepGate.TryEnter())
        {
            return;
        }

        try
        {
            for (
                var examined = 0;

                // Stryker disable once Equality : no means to test this: a third entry examined changes no answer, only which idle entry goes first, and the walk follows string hashes randomized per process.
                examined < SweepPerInsert;
                examined++)
            {
                if (_sweepCursor is null || !_sweepCursor.MoveNext())
                {
                    _sweepCursor?.Dispose();
                    _sweepCursor = _accounts.GetEnumerator();
                    if (!_sweepCursor.MoveNext())
                    {
                        return;
                    }
                }

                var (key, cells) = _sweepCursor.Current;
                TryEvict(key, cells, now);
            }
        }
        finally
        {
            _sweepGate.Exit();
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
            // Stryker disable once Assignment : the flag is clear here (checked above under this lock), so ^ sets it as | does; &= is pinned by CachedAccountCellsTests
            header |= AccountCells.EvictedFlag;
            _exhaustions.TryRemove(accountKey, out _);
            _accounts.TryRemove(KeyValuePair.Create(accountKey, cells));
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

    /// <summary>
    /// What one check added to each window, to take back when a later window refuses: fields rather than a
    /// stackalloc'd span, which costs a stack cookie and a cleared buffer on every call.
    /// </summary>
    private struct WindowCounts
    {
        public int Second;
        public int Minute;
        public int Hour;
        public int Day;
        public int RecipientsDay;

        public readonly int Of(int window) => window switch
        {
            QuotaWindows.Second => Second,
            QuotaWindows.Minute => Minute,
            QuotaWindows.Hour => Hour,
            QuotaWindows.Day => Day,
            _ => RecipientsDay,
        };
    }

    private sealed record History(DateTimeOffset Start, DateTimeOffset LastSeen);

    /// <summary>The store's number for one value of limits; <see cref="Limits"/> is the first instance seen with it.</summary>
    private sealed record LimitsTag(SendLimits Limits, int Id);
}
