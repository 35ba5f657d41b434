namespace PetSitter.Email;

/// <summary>
/// Supplies OAuth2 access tokens for an SMTP account that signs in with XOAUTH2 (Gmail, Google
/// Workspace, Microsoft 365) instead of a password. The app implements it over its own token store.
/// </summary>
/// <remarks>
/// <para>The library asks for a token each time it opens a connection and keeps none: return a cached
/// token while it is valid. When the server refuses a token the library asks once more with
/// <see cref="SmtpAccessTokenRequest.ForceRefresh"/> set and signs in again on the same connection; a
/// provider asked to refresh must not return the cached token.</para>
/// <para>Throw when no token can be had (the owner revoked access, the refresh token expired): the send
/// fails with <see cref="SmtpFailureKind.CredentialsExpired"/> and the advice to reconnect the account.
/// The exception is kept as the failure's inner exception and its message is not copied anywhere.</para>
/// <para>The library never logs a token, nor puts one in an exception message or <c>ToString()</c>.</para>
/// </remarks>
public interface ISmtpAccessTokenProvider
{
    /// <summary>Gets an access token for <see cref="SmtpAccessTokenRequest.UserName"/> on <see cref="SmtpAccessTokenRequest.Host"/>.</summary>
    /// <param name="request">Which account the token is for, and whether a cached token must be refreshed.</param>
    /// <param name="cancellationToken">Cancels the request (the send was cancelled or timed out).</param>
    /// <returns>The access token alone (no <c>Bearer</c> prefix): non-empty, without spaces or control characters.</returns>
    ValueTask<string> GetAccessTokenAsync(SmtpAccessTokenRequest request, CancellationToken cancellationToken);
}
