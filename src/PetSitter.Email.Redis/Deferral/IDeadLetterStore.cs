namespace PetSitter.Email;

/// <summary>
/// The deferred emails the durable queue stopped trying, kept so none is ever dropped: list them (for an
/// operator or the owner), put one back in the queue, or delete it once handled. Registered by
/// <c>UseRedis</c>.
/// </summary>
public interface IDeadLetterStore
{
    /// <summary>Returns up to <paramref name="max"/> dead letters, oldest first.</summary>
    /// <param name="max">The most to return; at least 1. Default: 100.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The dead letters.</returns>
    ValueTask<IReadOnlyList<DeadLetter>> ListAsync(int max = 100, CancellationToken cancellationToken = default);

    /// <summary>Returns how many dead letters are kept.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The count.</returns>
    ValueTask<long> CountAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Puts a dead letter back in the queue, due now, as if first deferred now (tries counted from zero) and
    /// with the same Message-ID. Use it once the cause is fixed (the owner updated the password, say).
    /// </summary>
    /// <param name="id">The dead letter's <see cref="DeadLetter.Id"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when it was requeued; <see langword="false"/> when no such dead letter exists (any more).</returns>
    ValueTask<bool> RequeueAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Deletes a dead letter for good.</summary>
    /// <param name="id">The dead letter's <see cref="DeadLetter.Id"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when it was deleted; <see langword="false"/> when no such dead letter exists.</returns>
    ValueTask<bool> DeleteAsync(string id, CancellationToken cancellationToken = default);
}
