namespace PetSitter.Email;

/// <summary>Why and when a deferred email became a dead letter (written by the scripts with cjson, read here).</summary>
internal sealed class StoredDeadLetterInfo
{
    public string Reason { get; set; } = string.Empty;

    public long DeadAtMs { get; set; }
}
