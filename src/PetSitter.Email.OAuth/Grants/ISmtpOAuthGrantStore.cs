namespace PetSitter.Email.OAuth;

/// <summary>
/// Where the app keeps each business's <see cref="SmtpOAuthGrant"/>, one per business: its own database, encrypted
/// at rest like any credential. The library saves a rotated refresh token here before it uses the new access
/// token, so a crash never leaves the app holding a refresh token the provider already retired.
/// </summary>
public interface ISmtpOAuthGrantStore
{
    /// <summary>Gets the business's grant.</summary>
    /// <param name="businessId">The business.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The grant, or <see langword="null"/> when the business has connected no mailbox.</returns>
    ValueTask<SmtpOAuthGrant?> GetAsync(string businessId, CancellationToken cancellationToken);

    /// <summary>Saves the business's grant, replacing any earlier one (a reconnect, or a rotated refresh token).</summary>
    /// <param name="grant">The grant.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the grant is durably stored.</returns>
    ValueTask SaveAsync(SmtpOAuthGrant grant, CancellationToken cancellationToken);

    /// <summary>Deletes the business's grant (the owner disconnected the mailbox).</summary>
    /// <param name="businessId">The business.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Whether a grant was deleted.</returns>
    ValueTask<bool> DeleteAsync(string businessId, CancellationToken cancellationToken);
}
