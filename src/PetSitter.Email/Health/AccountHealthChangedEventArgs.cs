namespace PetSitter.Email;

/// <summary>
/// Raised by <see cref="IAccountHealthMonitor.HealthChanged"/> when an account's state or failure kind
/// changes, for example so the app can tell the owner "Your SMTP password appears to be wrong".
/// </summary>
public sealed class AccountHealthChangedEventArgs : EventArgs
{
    /// <summary>Creates the event's data.</summary>
    /// <param name="previous">The snapshot before the change.</param>
    /// <param name="current">The snapshot after the change.</param>
    /// <param name="changedAt">When the change was noticed.</param>
    /// <exception cref="ArgumentNullException"><paramref name="previous"/> or <paramref name="current"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The snapshots are of different businesses.</exception>
    public AccountHealthChangedEventArgs(AccountHealth previous, AccountHealth current, DateTimeOffset changedAt)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(current);
        if (!string.Equals(previous.BusinessId, current.BusinessId, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The snapshots belong to different businesses ('{previous.BusinessId}' and '{current.BusinessId}').", nameof(current));
        }

        Previous = previous;
        Current = current;
        ChangedAt = changedAt;
    }

    /// <summary>Gets the business whose account changed.</summary>
    public string BusinessId => Current.BusinessId;

    /// <summary>Gets the account's health before the change.</summary>
    public AccountHealth Previous { get; }

    /// <summary>Gets the account's health after the change.</summary>
    public AccountHealth Current { get; }

    /// <summary>Gets the new state.</summary>
    public AccountHealthState State => Current.State;

    /// <summary>Gets the kind of failure behind the new state; <see langword="null"/> when the account became healthy.</summary>
    public SmtpFailureKind? Kind => Current.Kind;

    /// <summary>Gets the owner's advice for the new state; <see langword="null"/> when the account became healthy.</summary>
    public string? Advice => Current.Advice;

    /// <summary>Gets what the owner must do, as data for the app's button (<see cref="RequiredAction.Reconnect"/> after a revoked grant).</summary>
    public RequiredAction RequiredAction => Current.RequiredAction;

    /// <summary>Gets when the change was noticed.</summary>
    public DateTimeOffset ChangedAt { get; }

    /// <inheritdoc />
    public override string ToString() => $"{BusinessId}: {Previous.State} -> {Current.State}{(Kind is null ? string.Empty : $" ({Kind})")} at {ChangedAt:O}";
}
