namespace PetSitter.Email;

/// <summary>
/// Each business's suppression list: the addresses that unsubscribed, complained or hard-bounced. A
/// <see cref="EmailCategory.Marketing"/> email to an address on its business's list is never sent (it ends
/// <see cref="SendStatus.Failed"/> with <see cref="SendOutcome.Suppression"/> set); quotes, invoices and every
/// other category are still sent to it. The library adds hard bounces itself; the one-click unsubscribe endpoint
/// of <c>PetSitter.Email.AspNetCore</c> adds unsubscribes; the app adds complaints and removes an address when
/// the client asks to hear from the business again.
/// </summary>
/// <remarks>
/// <para>
/// <c>AddPetSitterEmail()</c> registers an in-memory list (this process only, lost on restart);
/// <c>UseRedis(...)</c> of <c>PetSitter.Email.Redis</c> replaces it with a shared, durable one. Lists are per
/// business: one business's unsubscribe never stops another business's mail to the same person.
/// </para>
/// <para>
/// Addresses are compared without regard to case and surrounding white space, and stored in lower case.
/// Every method throws <see cref="ArgumentException"/> for an empty business id or an address that is not one
/// plain mailbox (<c>name@example.com</c>).
/// </para>
/// </remarks>
public interface ISuppressionList
{
    /// <summary>
    /// Adds <paramref name="address"/> to the business's list. Idempotent: an address already on the list keeps
    /// its first entry (reason and time), so a replayed unsubscribe or a second bounce changes nothing.
    /// </summary>
    /// <param name="businessId">The business.</param>
    /// <param name="address">The recipient's address.</param>
    /// <param name="reason">Why.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when the address was added; <see langword="false"/> when it was already there.</returns>
    ValueTask<bool> AddAsync(string businessId, string address, SuppressionReason reason, CancellationToken cancellationToken = default);

    /// <summary>Removes <paramref name="address"/> from the business's list (the client wants the business's marketing again).</summary>
    /// <param name="businessId">The business.</param>
    /// <param name="address">The recipient's address.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when it was on the list.</returns>
    ValueTask<bool> RemoveAsync(string businessId, string address, CancellationToken cancellationToken = default);

    /// <summary>Looks <paramref name="address"/> up on the business's list.</summary>
    /// <param name="businessId">The business.</param>
    /// <param name="address">The recipient's address.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The entry, or <see langword="null"/> when the address is not suppressed.</returns>
    ValueTask<SuppressionEntry?> FindAsync(string businessId, string address, CancellationToken cancellationToken = default);

    /// <summary>Lists the business's suppressed addresses, ordered by address.</summary>
    /// <param name="businessId">The business.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The entries; empty when none.</returns>
    ValueTask<IReadOnlyList<SuppressionEntry>> ListAsync(string businessId, CancellationToken cancellationToken = default);
}
