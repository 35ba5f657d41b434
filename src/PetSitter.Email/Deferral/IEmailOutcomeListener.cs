namespace PetSitter.Email;

/// <summary>
/// Hears the outcomes that arrive after the send call has returned: the final outcome (sent, failed or
/// delivery uncertain) of every deferred email. Register any number in the service collection.
/// </summary>
/// <remarks>
/// Called from the background dispatcher, one outcome at a time. An exception thrown by a listener is
/// logged and does not stop the dispatcher or the other listeners.
/// </remarks>
public interface IEmailOutcomeListener
{
    /// <summary>Receives one final outcome.</summary>
    /// <param name="outcome">The outcome; its <see cref="SendOutcome.MessageId"/> is the one the email was deferred with.</param>
    /// <param name="cancellationToken">Signalled when the app is stopping.</param>
    /// <returns>A task that completes when the outcome is handled.</returns>
    ValueTask OnOutcomeAsync(SendOutcome outcome, CancellationToken cancellationToken);
}
