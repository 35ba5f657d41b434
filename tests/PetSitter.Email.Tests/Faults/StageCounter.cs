using PetSitter.Email.Testing;

namespace PetSitter.Email.Tests.Faults;

/// <summary>Counts how often a server's script was asked at one stage; the count is the hit's number.</summary>
internal sealed class StageCounter(SmtpStage stage)
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    /// <summary>Returns the number of this hit at the stage (1 for the first), or 0 at any other stage.</summary>
    public int Hit(SmtpScriptContext context) => context.Stage == stage ? Interlocked.Increment(ref _count) : 0;
}
