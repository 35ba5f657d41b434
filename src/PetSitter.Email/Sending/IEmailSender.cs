namespace PetSitter.Email;

/// <summary>
/// Sends a business's email on the right channel and reports exactly one outcome. The one type callers use.
/// </summary>
/// <remarks>Safe to call concurrently.</remarks>
public interface IEmailSender
{
    /// <summary>Routes and sends one email.</summary>
    /// <param name="email">The email.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>The outcome: sent, deferred, failed or delivery uncertain. Channel failures are outcomes, not exceptions.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="email"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The message has no recipients or no usable addresses.</exception>
    /// <exception cref="EmailSettingsException">The business is unknown or its business-level settings are invalid.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    Task<SendOutcome> SendAsync(OutgoingEmail email, CancellationToken cancellationToken = default);
}
