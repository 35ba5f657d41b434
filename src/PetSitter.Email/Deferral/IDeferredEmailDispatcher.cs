namespace PetSitter.Email;

/// <summary>
/// Sends the deferred emails that are due now, on demand: the same work the library's hosted service does
/// every <see cref="FallbackPolicyOptions.DeferredPollInterval"/>, for an app that wants it at once (after the
/// owner fixed the account, from an admin action, or in its tests, with no host started and no poll
/// interval to wait for). Resolve it from the container; it is registered by <c>AddPetSitterEmail</c>.
/// </summary>
/// <remarks>
/// <para>Works with any <see cref="IDeferredEmailQueue"/>: the in-memory default and the Redis queue. Calling
/// it while the hosted service runs, or from several instances at once, is safe: the queue hands each due
/// email to one caller only.</para>
/// <para>Each email taken ends as the hosted service would end it: its final outcome (sent, failed, delivery
/// uncertain) reported to every <see cref="IEmailOutcomeListener"/>, or back in the queue with its next due
/// time. "Due" is read from the library's <see cref="TimeProvider"/>.</para>
/// </remarks>
public interface IDeferredEmailDispatcher
{
    /// <summary>
    /// Takes the emails due now, batch after batch of <see cref="FallbackPolicyOptions.DeferredBatchSize"/> until
    /// a batch comes back short, sends each again and settles it.
    /// </summary>
    /// <param name="cancellationToken">
    /// Stops the work: the emails taken but not yet settled go back to the queue unchanged, then
    /// <see cref="OperationCanceledException"/> is thrown.
    /// </param>
    /// <returns>How many emails were taken and how each ended.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    Task<DeferredDispatchResult> DispatchDueAsync(CancellationToken cancellationToken = default);
}
