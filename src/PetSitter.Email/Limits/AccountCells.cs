using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PetSitter.Email;

/// <summary>
/// One account's counters packed in a single <c>ushort[]</c>, so a tracked account costs one object and
/// no pointers besides the dictionary's. A bit of the header is the account's lock.
/// </summary>
/// <remarks>
/// Layout, in 16-bit cells:
/// <list type="bullet">
/// <item>0-3: a 64-bit header: bits 0-4 the tracked windows, bit 5 evicted, bit 6 held by the provider,
/// bit 7 locked, bits 8-63 the last time the counters were brought up to date (store milliseconds).</item>
/// <item>then one 32-bit running sum per tracked window, in window order;</item>
/// <item>then one ring of bucket counts per tracked window, in window order.</item>
/// </list>
/// A bucket count saturates at <see cref="ushort.MaxValue"/>: the store refuses rather than overflow it.
/// </remarks>
internal static class AccountCells
{
    public const long EvictedFlag = 1 << 5;
    public const long ExhaustedFlag = 1 << 6;
    public const long LockedFlag = 1 << 7;
    public const int HeaderCells = 4;
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
        var length = HeaderCells + (2 * BitOperations.PopCount((uint)mask));
        for (var bits = mask; bits != 0; bits &= bits - 1)
        {
            length += QuotaWindows.RingSize(BitOperations.TrailingZeroCount(bits));
        }

        return length;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref long Header(ushort[] cells) =>
        ref Unsafe.As<ushort, long>(ref MemoryMarshal.GetArrayDataReference(cells));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref int Sum(ushort[] cells, int cell) =>
        ref Unsafe.As<ushort, int>(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(cells), cell));

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
    public static void Expire(int window, Span<ushort> ring, ref int sum, long lastBucket, long bucket)
    {
        var passed = bucket - lastBucket;
        if (passed <= 0 || sum == 0)
        {
            return;
        }

        if (passed >= ring.Length)
        {
            ring.Clear();
            sum = 0;
            return;
        }

        var slot = QuotaWindows.SlotOf(window, lastBucket + 1);
        for (var i = 0; i < passed; i++)
        {
            sum -= ring[slot];
            ring[slot] = 0;
            if (++slot == ring.Length)
            {
                slot = 0;
            }
        }
    }

    /// <summary>
    /// How long until <paramref name="needed"/> more can be counted in a window that has
    /// <paramref name="sum"/> of <paramref name="limit"/> used: the time the oldest buckets that free enough
    /// leave the window, and no earlier than the next bucket when the current one is full.
    /// </summary>
    public static long WaitMs(int window, ReadOnlySpan<ushort> ring, int sum, int needed, int limit, long bucket, long nowMs)
    {
        var width = QuotaWindows.BucketMs(window);
        long wait = 0;
        var excess = (long)sum + needed - limit;
        if (excess > 0)
        {
            // Without enough in the ring (a limit below 1 from unvalidated settings) wait for the whole ring.
            wait = ((bucket + ring.Length) * width) - nowMs;
            long freed = 0;

            // Oldest bucket first; the slot steps round the ring rather than being divided out per bucket.
            var slot = QuotaWindows.SlotOf(window, bucket + 1);
            for (var i = bucket - ring.Length + 1; i <= bucket; i++)
            {
                freed += ring[slot];
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

        if (ring[QuotaWindows.SlotOf(window, bucket)] + needed > ushort.MaxValue)
        {
            wait = Math.Max(wait, ((bucket + 1) * width) - nowMs);
        }

        return wait;
    }
}
