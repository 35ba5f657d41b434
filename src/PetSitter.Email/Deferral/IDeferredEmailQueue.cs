using System.Diagnostics.CodeAnalysis;

namespace PetSitter.Email.Extensibility;

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
    /// first. Each email is returned to one caller only; the caller re-enqueues what it does not finish
    /// and settles the rest with <see cref="AcknowledgeAsync"/>. A durable queue may hand out a lease
    /// instead of removing: an email neither re-enqueued nor acknowledged before its lease ends (its
    /// claimer died) is handed out again.
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

    /// <summary>
    /// Settles an email taken with <see cref="TakeDueAsync"/> that reached its final outcome, so it is never
    /// handed out again. A <see cref="SendStatus.Failed"/> outcome is the dispatcher giving up: a durable
    /// queue may keep the email as a dead letter with <see cref="SendOutcome.Reason"/>. The in-memory queue
    /// removed the email when it was taken, so by default this does nothing.
    /// </summary>
    /// <param name="item">The email as it was taken.</param>
    /// <param name="outcome">Its final outcome: sent, delivery uncertain or failed.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the email is settled.</returns>
    ValueTask AcknowledgeAsync(DeferredEmail item, SendOutcome outcome, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
