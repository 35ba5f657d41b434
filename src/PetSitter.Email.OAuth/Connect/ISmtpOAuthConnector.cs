namespace PetSitter.Email.OAuth;

/// <summary>
/// Connects an owner's mailbox with the provider's sign-in (the OAuth2 authorization-code flow with PKCE):
/// <see cref="CreateAuthorizationRequestAsync"/> gives the address the "Connect" button sends the browser to,
/// <see cref="CompleteAsync"/> handles the provider's callback and stores the grant. The app's endpoints decide
/// who may connect a mailbox to which business; this service proves the callback belongs to that request.
/// </summary>
public interface ISmtpOAuthConnector
{
    /// <summary>
    /// Creates an authorization request: a PKCE S256 challenge, a nonce, and a <c>state</c> sealed with the
    /// business, the signed-in app user, the verifier, the nonce and an expiry.
    /// </summary>
    /// <param name="businessId">The business whose mailbox is being connected.</param>
    /// <param name="appUserId">The app's signed-in user who pressed "Connect"; the callback must come from the same user.</param>
    /// <param name="provider">A configured provider's name, for example <see cref="SmtpOAuthProviders.MicrosoftName"/>.</param>
    /// <param name="redirectUri">The app's callback address, registered with the provider.</param>
    /// <param name="loginHint">The mailbox the owner is expected to sign in with, if known; the provider pre-fills it.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The address to redirect the browser to, and the state it carries.</returns>
    /// <exception cref="ArgumentException">An argument is empty, the provider is not configured, or the redirect address is not absolute.</exception>
    ValueTask<SmtpOAuthAuthorizationRequest> CreateAuthorizationRequestAsync(
        string businessId,
        string appUserId,
        string provider,
        Uri redirectUri,
        string? loginHint = null,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Completes the connection from the provider's callback: checks the state (seal, user, lifetime, used once),
    /// exchanges the code, reads the mailbox from the ID token and saves the grant. A refused callback stores nothing.
    /// </summary>
    /// <param name="callback">The callback's query parameters.</param>
    /// <param name="appUserId">The app's signed-in user handling the callback.</param>
    /// <param name="expectedBusinessId">The business the app's endpoint expects (from its route), or <see langword="null"/> to accept the state's.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The grant stored, or why nothing was stored.</returns>
    ValueTask<SmtpOAuthConnectResult> CompleteAsync(
        SmtpOAuthCallback callback,
        string appUserId,
        string? expectedBusinessId = null,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Disconnects the business's mailbox: sends its refresh token to the provider's revocation endpoint where the
    /// provider has one (Google; the Microsoft identity platform has none for refresh tokens), then deletes the grant
    /// and forgets its cached access token. A revocation that fails is reported, and the grant is deleted all the same.
    /// </summary>
    /// <param name="businessId">The business.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What was done.</returns>
    ValueTask<SmtpOAuthDisconnectResult> DisconnectAsync(string businessId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Creates the SMTP settings of a connected mailbox: the provider's SMTP server, the mailbox as user name, and
    /// the library's access token provider (refresh once per grant, rotation saved first).
    /// </summary>
    /// <param name="grant">The stored grant.</param>
    /// <param name="fromAddress">The sender address; the mailbox when <see langword="null"/>.</param>
    /// <returns>The account settings for <see cref="BusinessEmailSettings.Smtp"/>.</returns>
    /// <exception cref="ArgumentException">The grant's provider is not configured.</exception>
    SmtpAccountSettings CreateSmtpSettings(SmtpOAuthGrant grant, string? fromAddress = null);
}
