namespace PetSitter.Email.Extensibility;

/// <summary>
/// An account of one <see cref="InMemorySendQuotaStore"/> resolved once: its key and its cells, cached on the settings
/// instance the channel sends for (<see cref="SmtpAccountSettings.QuotaHandle"/>), so a check skips hashing the key
/// and the dictionary. Immutable: a new account entry (after the idle sweep dropped it, or its cells grew) is a new
/// handle.
/// </summary>
/// <remarks>
/// A handle can go stale at any moment: the sweep drops idle cells and growth replaces them. Both mark the old cells
/// evicted under their lock before anything else sees the new ones, and a check takes that lock and reads the flag
/// before it counts, so a stale handle is noticed and resolved again by key: nothing is ever counted in cells the
/// store no longer holds.
/// </remarks>
internal sealed class AccountHandle
{
    public AccountHandle(InMemorySendQuotaStore store, string key, ushort[] cells)
    {
        Store = store;
        Key = key;
        Cells = cells;
    }

    /// <summary>Gets the store the cells belong to: a settings instance may be checked by more than one store.</summary>
    public InMemorySendQuotaStore Store { get; }

    /// <summary>Gets the key the cells were resolved for.</summary>
    public string Key { get; }

    /// <summary>Gets the cells, possibly evicted since.</summary>
    public ushort[] Cells { get; }
}
