namespace PetSitter.Email.OAuth;

/// <summary>
/// Remembers which <c>state</c> values were already used, so a replayed callback is refused. In memory by default;
/// apps with several instances register a shared one (for example over Redis) so a state is used once fleet-wide.
/// </summary>
public interface ISmtpOAuthStateStore
{
    /// <summary>Marks the state as used, once.</summary>
    /// <param name="stateId">The state's random id (not a secret: it is sealed with the rest of the state).</param>
    /// <param name="expiresAt">When the state expires anyway; the record may be dropped after that.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> the first time; <see langword="false"/> when the state was used before.</returns>
    ValueTask<bool> TryUseAsync(string stateId, DateTimeOffset expiresAt, CancellationToken cancellationToken);
}
