using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace PetSitter.Email.Limits;

/// <summary>
/// The limits marketing is checked against: the account's own, with the hour and day windows cut to marketing's
/// share (the rest is the reserve for direct mail) and, for a mailbox new to the library, the day window cut to the
/// warm-up ceiling. Direct mail is checked against the account's own limits.
/// </summary>
/// <remarks>
/// The store counts every send of the account in the same windows, whatever its category, and a marketing send is
/// allowed only while the count with it stays within the lowered limit. So after any marketing send the windows hold
/// at most the share, and direct mail always finds the rest free: the reserve is enforced by the store's own
/// never-exceed check, in memory and in Redis alike, with no new counter. The lowered limits are cached per value,
/// and on the settings instance (<see cref="SmtpAccountSettings.MarketingLimits"/>), so once an instance's share has
/// been seen a check neither allocates nor looks anything up.
/// </remarks>
internal sealed class MarketingReserve
{
    private readonly ISendQuotaStore _store;
    private readonly TimeProvider _time;
    private readonly SendLimitOptions _options;
    private readonly ConcurrentDictionary<string, KnownStart> _starts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(SendLimits Limits, int Share, int Ceiling), SendLimits> _lowered = new();

    public MarketingReserve(ISendQuotaStore store, TimeProvider time, SendLimitOptions options)
    {
        _store = store;
        _time = time;
        _options = options;
    }

    /// <summary>
    /// The limits a send of <paramref name="category"/> is checked against. Asks the store for the mailbox's history
    /// on every category (direct mail starts the history too), at most once an hour per mailbox and process.
    /// </summary>
    public ValueTask<MarketingShare> ForAsync(SmtpAccountSettings account, string accountKey, SendLimits limits, EmailCategory category, CancellationToken cancellationToken)
    {
        var share = account.MarketingSharePercent ?? _options.MarketingSharePercent;
        var firstDay = account.MarketingWarmUpFirstDay ?? _options.MarketingWarmUpFirstDay;
        if (firstDay > 0)
        {
            return ForWarmingAsync(account, accountKey, limits, category, share, firstDay, cancellationToken);
        }

        // No warm-up, so no history to ask for: answered without a state machine.
        return new ValueTask<MarketingShare>(category != EmailCategory.Marketing ? new MarketingShare(limits, 0, null, null) : ShareOnly(account, limits, share));
    }

    private async ValueTask<MarketingShare> ForWarmingAsync(
        SmtpAccountSettings account, string accountKey, SendLimits limits, EmailCategory category, int share, int firstDay, CancellationToken cancellationToken)
    {
        var start = await HistoryStartAsync(accountKey, cancellationToken).ConfigureAwait(false);
        if (category != EmailCategory.Marketing)
        {
            return new MarketingShare(limits, 0, null, null);
        }

        if (start is not { } since)
        {
            // A store that keeps no history: no warm-up, the share still applies.
            return ShareOnly(account, limits, share);
        }

        var day = (int)Math.Min(int.MaxValue, Math.Max(0, (_time.GetUtcNow() - since).Ticks) / TimeSpan.TicksPerDay) + 1;
        var ceiling = WarmUpCeiling(firstDay, day, limits);
        if (ceiling == 0)
        {
            // The warm-up is over: the share alone, as without a warm-up.
            return ShareOnly(account, limits, share);
        }

        // A limit is never 0 (Share keeps at least 1), so the day window equals the ceiling only when the ceiling set it.
        var lowered = Lowered(account, limits, share, ceiling);
        return new MarketingShare(lowered, lowered.MessagesPerDay == ceiling ? ceiling : 0, day, since + TimeSpan.FromDays(day));
    }

    /// <summary>Marketing's limits with its share and no warm-up ceiling: the account's own when the share is all of them.</summary>
    private MarketingShare ShareOnly(SmtpAccountSettings account, SendLimits limits, int share) =>
        new(
            // Stryker disable once Equality,Conditional : a share of exactly 100 lowers nothing (Share keeps every value), so "> 100" or the shortcut forced off only computes equal limits (forced on is killed)
            share >= 100 ? limits : Lowered(account, limits, share, 0),
            0,
            null,
            null);

    /// <summary>
    /// Marketing's limits, from the settings instance's cache when it was computed for the same limits instance, share
    /// and ceiling (a warm-up ceiling changes once a day); otherwise from the reserve's table by value, then cached.
    /// </summary>
    private SendLimits Lowered(SmtpAccountSettings account, SendLimits limits, int share, int ceiling)
    {
        var cached = Volatile.Read(ref account.MarketingLimits);
        return cached is not null && ReferenceEquals(cached.Full, limits) && cached.Share == share && cached.Ceiling == ceiling
            ? cached.Lowered
            : LowerAndCache(account, limits, share, ceiling);
    }

    /// <summary>
    /// <see cref="Lowered"/> when the instance's cache does not hold them. Kept out of line so the cached case stays small
    /// enough for the JIT to inline into the check that asks for it.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private SendLimits LowerAndCache(SmtpAccountSettings account, SendLimits limits, int share, int ceiling)
    {
        var lowered = _lowered.GetOrAdd((limits, share, ceiling), static key => Lower(key.Limits, key.Share, key.Ceiling));
        Volatile.Write(ref account.MarketingLimits, new MarketingLimits(limits, share, ceiling, lowered));
        return lowered;
    }

    /// <summary>
    /// The warm-up ceiling of a day (1 the first): <paramref name="firstDay"/> doubled each day after, or 0 once it
    /// reaches the most the account may send in a day (then the warm-up is over).
    /// </summary>
    internal static int WarmUpCeiling(int firstDay, int day, SendLimits limits)
    {
        var capacity = DailyCapacity(limits);
        if (capacity is null && day > SendLimitConstants.WarmUpMaxDays)
        {
            return 0;
        }

        long ceiling = firstDay;
        for (var d = 1; d < day && ceiling < SendLimits.MaxLimit; d++)
        {
            ceiling *= SendLimitConstants.WarmUpGrowth;
        }

        return ceiling >= (capacity ?? SendLimits.MaxLimit) ? 0 : (int)ceiling;
    }

    /// <summary>The most messages the limits let through in a day, from the tightest window that says.</summary>
    private static long? DailyCapacity(SendLimits limits) =>
        Min(Min(Min(Min(limits.MessagesPerDay, limits.RecipientsPerDay), limits.MessagesPerHour * 24L), limits.MessagesPerMinute * 1_440L), limits.MessagesPerSecond * 86_400L);

    private static long? Min(long? a, long? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);

    private static SendLimits Lower(SendLimits limits, int share, int ceiling)
    {
        var day = Share(limits.MessagesPerDay, share);
        if (ceiling > 0)
        {
            day = day is { } d ? Math.Min(d, ceiling) : ceiling;
        }

        return limits with
        {
            MessagesPerHour = Share(limits.MessagesPerHour, share),
            MessagesPerDay = day,
            RecipientsPerDay = Share(limits.RecipientsPerDay, share),
        };
    }

    /// <summary>Rounded down, so marketing never passes its share; at least 1, as a limit must be.</summary>
    private static int? Share(int? limit, int percent) => limit is { } value ? Math.Max(1, (int)((long)value * percent / 100)) : null;

    private async ValueTask<DateTimeOffset?> HistoryStartAsync(string accountKey, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_starts.TryGetValue(accountKey, out var known) && now - known.AskedAt < SendLimitConstants.HistoryRecheck)
        {
            return known.Start;
        }

        var start = await _store.GetHistoryStartAsync(accountKey, cancellationToken).ConfigureAwait(false);
        _starts[accountKey] = new KnownStart(start, now);
        return start;
    }

    private sealed record KnownStart(DateTimeOffset? Start, DateTimeOffset AskedAt);
}

/// <summary>The limits one send is checked against, and the warm-up state behind them for the outcome's words.</summary>
/// <param name="Limits">The limits to check.</param>
/// <param name="WarmUpCeiling">The day window's limit when the warm-up set it (lower than the share), else 0.</param>
/// <param name="WarmUpDay">The warm-up day (1 the first) while the warm-up runs, else <see langword="null"/>.</param>
/// <param name="NextWarmUpDay">When the next warm-up day starts (its ceiling doubles) while the warm-up runs.</param>
internal readonly record struct MarketingShare(SendLimits Limits, int WarmUpCeiling, int? WarmUpDay, DateTimeOffset? NextWarmUpDay);

/// <summary>Marketing's limits for one account's limits instance, share and warm-up ceiling: the settings instance's cache.</summary>
/// <param name="Full">The account's limits they were computed from (matched by reference).</param>
/// <param name="Share">Marketing's share, in percent.</param>
/// <param name="Ceiling">The warm-up ceiling, or 0.</param>
/// <param name="Lowered">Marketing's limits.</param>
internal sealed record MarketingLimits(SendLimits Full, int Share, int Ceiling, SendLimits Lowered);
