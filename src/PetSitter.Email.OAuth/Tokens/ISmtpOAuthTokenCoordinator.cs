namespace PetSitter.Email.OAuth;

/// <summary>
/// Shares access tokens, and the right to refresh them, among the app's instances, so a grant is refreshed once
/// fleet-wide instead of once per instance. Without one (the default) each instance caches and refreshes on its own;
/// <c>UseRedis()</c> of PetSitter.Email.Redis registers one over Redis.
/// </summary>
/// <remarks>
/// With rotating refresh tokens (Microsoft) two instances refreshing with the same refresh token race: the provider
/// refuses the second once the first rotated it. The refresh lock closes that race: the instance holding it refreshes
/// and saves the rotated refresh token to the grant store before releasing it; the others wait and read the token it shares.
/// </remarks>
public interface ISmtpOAuthTokenCoordinator
{
    /// <summary>Reads the access token another instance shared for the grant.</summary>
    /// <param name="grantId">The grant.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The shared token, or <see langword="null"/> when none is fresh.</returns>
    ValueTask<SmtpOAuthSharedToken?> GetAsync(string grantId, CancellationToken cancellationToken);

    /// <summary>Shares a refreshed access token with the other instances until its <see cref="SmtpOAuthSharedToken.RefreshAt"/>.</summary>
    /// <param name="grantId">The grant.</param>
    /// <param name="token">The token.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the token is shared.</returns>
    ValueTask SetAsync(string grantId, SmtpOAuthSharedToken token, CancellationToken cancellationToken);

    /// <summary>Drops the shared token of a grant (disconnected, or refused by the mail server).</summary>
    /// <param name="grantId">The grant.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the token is gone.</returns>
    ValueTask RemoveAsync(string grantId, CancellationToken cancellationToken);

    /// <summary>Takes the grant's refresh lock for at most <paramref name="lease"/> (it expires if this instance dies).</summary>
    /// <param name="grantId">The grant.</param>
    /// <param name="lease">How long the lock holds without being released.</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <returns>The lock, released by disposing it; <see langword="null"/> when another instance holds it.</returns>
    ValueTask<IAsyncDisposable?> TryLockAsync(string grantId, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Waits until the grant's refresh lock is released or expires, or <paramref name="maxWait"/> has passed.</summary>
    /// <param name="grantId">The grant.</param>
    /// <param name="maxWait">The longest wait.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the caller should look for the shared token again.</returns>
    ValueTask WaitAsync(string grantId, TimeSpan maxWait, CancellationToken cancellationToken);
}

/// <summary>An access token shared among instances. <see cref="ToString"/> leaves the token out.</summary>
/// <param name="AccessToken">The access token (a secret).</param>
/// <param name="RefreshAt">When it is due for refresh, shortly before it expires.</param>
public sealed record SmtpOAuthSharedToken(string AccessToken, DateTimeOffset RefreshAt)
{
    /// <inheritdoc />
    public override string ToString() => $"access token until {RefreshAt:O}";
}
