namespace PetSitter.Email.Deferral;

/// <summary>Sends a deferred email again; implemented by the sender.</summary>
/// <remarks>
/// The resender must not enqueue anything itself: when the account still cannot send, it returns a
/// <see cref="SendStatus.Deferred"/> outcome with <see cref="SendOutcome.DeferredUntil"/>, and the
/// dispatcher puts the email back (or gives up). The message must go out with its Message-ID unchanged.
/// </remarks>
internal interface IDeferredEmailResender
{
    Task<SendOutcome> ResendAsync(DeferredEmail item, CancellationToken cancellationToken);
}
