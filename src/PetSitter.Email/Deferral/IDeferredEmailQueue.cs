using System.Diagnostics.CodeAnalysis;

namespace PetSitter.Email;

/// <summary>
/// Where deferred emails wait until they are due. The in-memory queue is the embedded default; a durable
/// store (Redis) can replace it so deferred mail survives restarts and is shared by several instances.
/// </summary>
/// <remarks>Implementations must be safe to call from many threads at once.</remarks>
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "It is a queue ordered by due time, and the name says so to the people who implement a durable one.")]
public interface IDeferredEmailQueue
{
    /// <summary>Adds an email to the queue.</summary>
    /// <param name="item">The deferred email.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the email is held.</returns>
    ValueTask EnqueueAsync(DeferredEmail item, CancellationToken cancellationToken);

    /// <summary>
    /// Removes and returns up to <paramref name="max"/> emails due at <paramref name="now"/>, earliest due
    /// first. Each email is returned to one caller only; the caller re-enqueues what it does not finish.
    /// </summary>
    /// <param name="now">The current time.</param>
    /// <param name="max">The most emails to take; at least 1.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The emails taken; empty when none is due.</returns>
    ValueTask<IReadOnlyList<DeferredEmail>> TakeDueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken);

    /// <summary>Returns how many emails are waiting.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The number of emails in the queue.</returns>
    ValueTask<int> CountAsync(CancellationToken cancellationToken);
}
