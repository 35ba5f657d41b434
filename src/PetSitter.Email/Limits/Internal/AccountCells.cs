using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PetSitter.Email.Extensibility;

/// <summary>
/// One account's counters packed in a single <c>ushort[]</c>, so a tracked account costs one object and
/// no pointers besides the dictionary's. A bit of the header is the account's lock.
/// </summary>
/// <remarks>
/// Layout, in 16-bit cells:
/// <list type="bullet">
/// <item>0-3: a 64-bit header: bits 0-4 the tracked windows, bit 5 evicted, bit 6 held by the provider,
/// bit 7 locked, bits 8-63 the last time the counters were brought up to date (store milliseconds).</item>
/// <item>4-7: the last refusal, 64 bits (see <see cref="Refusal"/>), or zero.</item>
/// <item>then one 32-bit running sum per tracked window, in window order;</item>
/// <item>then one ring of bucket counts per tracked window, in window order. The per-second ring has
/// byte-wide counts (two per cell), the others 16-bit ones.</item>
/// </list>
/// A bucket count saturates at its width's maximum (<see cref="CellMax"/>): the store refuses rather than
/// overflow it.
/// </remarks>
internal static class AccountCells
{
    public const long EvictedFlag = 1 << 5;
    public const long ExhaustedFlag = 1 << 6;
    public const long LockedFlag = 1 << 7;

    /// <summary>The cell of the first running sum: after the header and the refusal.</summary>
    public const int SumCells = 8;

    // The refusal word: bits 0-39 the instant (store ms) before which the same check is refused,
    // 40-51 the store's id of the limits it was computed for, 52-59 the recipients (0: any), 60-63 the window.
    public const int RefusalTimeBits = 40;
    public const long RefusalTimeMask = (1L << RefusalTimeBits) - 1;
    public const int MaxLimitsId = (1 << 12) - 1;
    public const int MaxRefusalRecipients = byte.MaxValue;

    private const long FlagBits = 0xFF;
    private const int TimeShift = 8;

    public static ushort[] Create(int mask, long nowMs)
    {
        var cells = new ushort[Length(mask)];
        Header(cells) = (nowMs << TimeShift) | (uint)mask;
        return cells;
    }

    public static int Length(int mask)
    {
        var length = SumCells + (2 * BitOperations.PopCount((uint)mask));
        for (var bits = mask; bits != 0; bits &= bits - 1)
        {
            length += RingCells(BitOperations.TrailingZeroCount(bits));
        }

        return length;
    }

    /// <summary>How many 16-bit cells a window's ring takes: the per-second ring packs two counts per cell.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int RingCells(int window) => window == QuotaWindows.Second ? QuotaWindows.SecondRing / 2 : QuotaWindows.RingSize(window);

    /// <summary>
    /// The most one bucket can count. A per-second bucket is 40 ms: 255 sends in 40 ms (6,375 a second)
    /// is beyond any SMTP account, and a fuller bucket refuses, so the narrow count only ever makes the
    /// store stricter.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int CellMax(int window) => window == QuotaWindows.Second ? byte.MaxValue : ushort.MaxValue;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Span<byte> ByteRing(ushort[] cells, int ringCell) =>
        MemoryMarshal.Cast<ushort, byte>(cells.AsSpan(ringCell, QuotaWindows.SecondRing / 2));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Span<ushort> WordRing(ushort[] cells, int ringCell, int window) => cells.AsSpan(ringCell, QuotaWindows.RingSize(window));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref long Header(ushort[] cells) =>
        ref Unsafe.As<ushort, long>(ref MemoryMarshal.GetArrayDataReference(cells));

    /// <summary>
    /// The last refusal: until its instant, a check with the same limits and recipients is refused by the
    /// same window, as long as nothing is counted (counting clears it). Written under the lock; read
    /// without it on 64-bit processes, where the aligned 64-bit word cannot tear.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref long Refusal(ushort[] cells) =>
        ref Unsafe.As<ushort, long>(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(cells), 4));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref int Sum(ushort[] cells, int cell) =>
        ref Unsafe.As<ushort, int>(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(cells), cell));

    /// <summary>Packs a refusal, or returns zero when it does not fit (then nothing is remembered).</summary>
    public static long PackRefusal(long untilMs, int limitsId, int recipients, LimitWindow window)
    {
        // Unnumbered limits (0) would match any other unnumbered ones, and a count wider than its field would spill
        // into the window's bits: either would answer a check the refusal was not computed for.
        // Stryker disable once Equality : >= only leaves a refusal for exactly MaxRefusalRecipients recipients unremembered (the other mutants here are pinned by RefusalMemoryTests)
        if (limitsId <= 0 || (uint)recipients > MaxRefusalRecipients)
        {
            return 0;
        }

        // Stryker disable once all : a number above MaxLimitsId comes only from a race between first refusals, and an instant past the field's 34 years is stored as one already past (a miss); either way a refusal is only not remembered or never matched
        if (limitsId > MaxLimitsId || (ulong)untilMs > RefusalTimeMask)
        {
            return 0;
        }

        // Stryker disable once Bitwise : & in place of an | leaves no instant (or no field at all), a refusal that never matches (the shifts' mutants are pinned by RefusalMemoryTests)
        return untilMs | ((long)limitsId << RefusalTimeBits) | ((long)recipients << 52) | ((long)window << 60);
    }

    public static long RefusalUntil(long refusal) => refusal & RefusalTimeMask;

    // Stryker disable once Bitwise : >>> and >> agree under the mask; | the mask and << give a number no limits has, a miss
    public static int RefusalLimitsId(long refusal) => (int)(refusal >> RefusalTimeBits) & MaxLimitsId;

    // Stryker disable once Bitwise : >>> and >> agree under the mask (| the mask is pinned by RefusalMemoryTests)
    public static int RefusalRecipients(long refusal) => (int)(refusal >> 52) & MaxRefusalRecipients;

    // Stryker disable once Bitwise : on an unsigned value >>> is >>
    public static LimitWindow RefusalWindow(long refusal) => (LimitWindow)(int)((ulong)refusal >> 60);

    /// <summary>
    /// Takes the account's lock. On 64-bit processes it is the header's lock bit, taken with one compare-and-swap
    /// (the header is 8-byte aligned there: array data starts 16 bytes into the object); 32-bit processes, where
    /// that alignment is not promised, use the array's monitor.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Enter(ushort[] cells)
    {
        if (!Environment.Is64BitProcess)
        {
            Monitor.Enter(cells);
            return;
        }

        ref var header = ref Header(cells);
        var current = Volatile.Read(ref header);
        // Stryker disable once Bitwise : current | LockedFlag is never zero, so every entry takes the contended path, which takes the same lock
        if ((current & LockedFlag) != 0 || Interlocked.CompareExchange(ref header, current | LockedFlag, current) != current)
        {
            EnterContended(ref header);
        }
    }

    /// <summary>Releases the lock taken by <see cref="Enter"/>, publishing every change made under it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Exit(ushort[] cells)
    {
        if (!Environment.Is64BitProcess)
        {
            Monitor.Exit(cells);
            return;
        }

        ref var header = ref Header(cells);
        Volatile.Write(ref header, header & ~LockedFlag);
    }

    // Stryker disable once Bitwise : the header is never negative (store milliseconds fit 55 bits), so >>> is >>
    public static long LastMs(long header) => header >> TimeShift;

    public static int Mask(long header) => (int)(header & QuotaWindows.AllMask);

    public static long WithLastMs(long header, long nowMs) => (nowMs << TimeShift) | (header & FlagBits);

    /// <summary>The lock is held for a few dozen nanoseconds: spin, then yield, rather than block.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void EnterContended(ref long header)
    {
        var spinner = default(SpinWait);
        while (true)
        {
            spinner.SpinOnce();
            var current = Volatile.Read(ref header);
            if ((current & LockedFlag) == 0 && Interlocked.CompareExchange(ref header, current | LockedFlag, current) == current)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Brings one window up to <paramref name="bucket"/>: buckets that have wholly left the window are
    /// subtracted and cleared. Work is proportional to the buckets passed, at most one ring.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Expire<T>(int window, Span<T> ring, ref int sum, long lastBucket, long bucket)
        where T : unmanaged, IBinaryInteger<T>
    {
        // Nothing counted: nothing to clear. (No bucket passed needs no test: the loop below then runs no step.)
        if (sum == 0)
        {
            return;
        }

        var passed = bucket - lastBucket;

        // Stryker disable once Equality : a whole ring passed clears each slot in the loop as Clear does
        if (passed >= ring.Length)
        {
            ring.Clear();
            sum = 0;
            return;
        }

        var slot = QuotaWindows.SlotOf(window, lastBucket + 1);
        for (var i = 0; i < passed; i++)
        {
            sum -= int.CreateTruncating(ring[slot]);
            ring[slot] = T.Zero;
            if (++slot == ring.Length)
            {
                slot = 0;
            }
        }
    }

    /// <summary>Adds up to <paramref name="count"/> to a bucket and the sum, stopping at the bucket's maximum.</summary>
    /// <returns>How much was added.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Add<T>(Span<T> ring, int slot, ref int sum, int count, int max)
        where T : unmanaged, IBinaryInteger<T>
    {
        ref var bucket = ref ring[slot];
        var current = int.CreateTruncating(bucket);
        var added = Math.Min(count, max - current);
        bucket = T.CreateTruncating(current + added);
        sum += added;
        return added;
    }

    /// <summary>
    /// How long until <paramref name="needed"/> more can be counted in a window that has
    /// <paramref name="sum"/> of <paramref name="limit"/> used: the time the oldest buckets that free enough
    /// leave the window, and no earlier than the next bucket when the current one is full.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static long WaitMs<T>(int window, ReadOnlySpan<T> ring, int sum, int needed, int limit, long bucket, long nowMs)
        where T : unmanaged, IBinaryInteger<T>
    {
        var width = QuotaWindows.BucketMs(window);
        long wait = 0;
        var excess = (long)sum + needed - limit;

        // Stryker disable once Equality : no excess reaches here only with a full bucket, whose wait is the next bucket's start both ways; the loop's i < bucket leaves the whole-ring wait, which is bucket's own
        if (excess > 0)
        {
            // Without enough in the ring (a limit below 1 from unvalidated settings) wait for the whole ring.
            wait = ((bucket + ring.Length) * width) - nowMs;
            long freed = 0;

            // Oldest bucket first; the slot steps round the ring rather than being divided out per bucket.
            var slot = QuotaWindows.SlotOf(window, bucket + 1);
            for (var i = bucket - ring.Length + 1; i <= bucket; i++)
            {
                freed += int.CreateTruncating(ring[slot]);
                if (freed >= excess)
                {
                    wait = ((i + ring.Length) * width) - nowMs;
                    break;
                }

                if (++slot == ring.Length)
                {
                    slot = 0;
                }
            }
        }

        // Stryker disable once Equality : with an excess the wait found above is never before the next bucket; without one, Bring calls this only for a bucket past full
        if (int.CreateTruncating(ring[QuotaWindows.SlotOf(window, bucket)]) + needed > CellMax(window))
        {
            wait = Math.Max(wait, ((bucket + 1) * width) - nowMs);
        }

        return wait;
    }
}
