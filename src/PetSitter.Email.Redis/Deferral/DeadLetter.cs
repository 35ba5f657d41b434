namespace PetSitter.Email;

/// <summary>
/// A deferred email the queue stopped trying: the dispatcher gave up on it (too many tries, or it would
/// have waited too long), or instances kept stopping while they held it. Kept, with its reason, until the
/// app requeues or deletes it.
/// </summary>
public sealed class DeadLetter
{
    /// <summary>Creates a dead letter.</summary>
    /// <param name="id">The queue's id of the email.</param>
    /// <param name="email">The email as it was last held (message, Message-ID, attempts, last failure).</param>
    /// <param name="reason">Why it stopped being tried.</param>
    /// <param name="deadAt">When it stopped being tried.</param>
    /// <exception cref="ArgumentException"><paramref name="id"/> or <paramref name="reason"/> is empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="email"/> is <see langword="null"/>.</exception>
    public DeadLetter(string id, DeferredEmail email, string reason, DateTimeOffset deadAt)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentNullException.ThrowIfNull(email);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        Id = id;
        Email = email;
        Reason = reason;
        DeadAt = deadAt;
    }

    /// <summary>Gets the queue's id of the email, for <see cref="IDeadLetterStore.RequeueAsync"/> and <see cref="IDeadLetterStore.DeleteAsync"/>.</summary>
    public string Id { get; }

    /// <summary>Gets the email as it was last held; its Message-ID is the one every try used.</summary>
    public DeferredEmail Email { get; }

    /// <summary>Gets why the email stopped being tried, in the owner's words where the dispatcher gave up.</summary>
    public string Reason { get; }

    /// <summary>Gets when the email stopped being tried.</summary>
    public DateTimeOffset DeadAt { get; }

    /// <inheritdoc />
    public override string ToString() => $"Dead letter {Id} since {DeadAt:O}: {Email} ({Reason})";
}
