namespace PetSitter.Email.Tests.Faults;

/// <summary>
/// Decides, from a seed, the Message-ID and the attempt number alone, which fault (if any) an attempt
/// meets: the same seed gives the same faults however the sends interleave, so a run is reproducible and
/// a test can predict each message's outcome.
/// </summary>
internal sealed class ChaosPlan(int seed, IReadOnlyList<(ChaosFault Fault, double Rate)> rates)
{
    public static ChaosPlan None { get; } = new(0, []);

    public ChaosFault FaultFor(string messageId, int attempt)
    {
        var roll = Roll(messageId, attempt);
        foreach (var (fault, rate) in rates)
        {
            if (roll < rate)
            {
                return fault;
            }

            roll -= rate;
        }

        return ChaosFault.None;
    }

    /// <summary>A number in [0, 1) fixed by the seed, the message and the attempt.</summary>
    private double Roll(string messageId, int attempt)
    {
        // FNV-1a over the Message-ID, then SplitMix64's finaliser over it, the seed and the attempt:
        // string.GetHashCode differs between processes, and a run must be the same every time.
        var hash = 14695981039346656037UL;
        foreach (var c in messageId)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        var z = hash ^ ((ulong)(uint)seed << 32) ^ (ulong)(uint)attempt;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (z >> 11) * (1.0 / (1UL << 53));
    }
}
