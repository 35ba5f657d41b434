namespace PetSitter.Email.OAuth;

/// <summary>An authorization request to send the owner's browser to.</summary>
/// <param name="AuthorizationUri">The provider's authorization address with every parameter.</param>
/// <param name="State">The sealed state it carries (opaque; not a secret, but only this app can read or make one).</param>
/// <param name="ExpiresAt">When the state stops being accepted.</param>
public sealed record SmtpOAuthAuthorizationRequest(Uri AuthorizationUri, string State, DateTimeOffset ExpiresAt);

/// <summary>The provider's callback parameters, as the app's endpoint received them.</summary>
/// <param name="State">The <c>state</c> parameter.</param>
/// <param name="Code">The <c>code</c> parameter; <see langword="null"/> when the provider returned an error.</param>
/// <param name="Error">The <c>error</c> parameter (for example <c>access_denied</c> when the owner declined).</param>
/// <param name="ErrorDescription">The <c>error_description</c> parameter.</param>
public sealed record SmtpOAuthCallback(string? State, string? Code, string? Error = null, string? ErrorDescription = null)
{
    /// <summary>Reads the callback from query parameters.</summary>
    /// <param name="query">The query's parameters by name.</param>
    /// <returns>The callback.</returns>
    public static SmtpOAuthCallback From(IReadOnlyDictionary<string, string?> query)
    {
        ArgumentNullException.ThrowIfNull(query);
        return new(Get("state"), Get("code"), Get("error"), Get("error_description"));

        string? Get(string name) => query.TryGetValue(name, out var value) ? value : null;
    }

    /// <summary>Describes the callback without its code.</summary>
    /// <returns>For example <c>callback with a code</c>.</returns>
    public override string ToString() => Error is null ? $"callback {(Code is null ? "without" : "with")} a code" : $"callback with error {Error}";
}

/// <summary>Why a callback stored nothing.</summary>
public enum SmtpOAuthConnectError
{
    /// <summary>Stored: no error.</summary>
    None = 0,

    /// <summary>The state is missing, forged or altered, or was sealed with another key.</summary>
    InvalidState,

    /// <summary>The state was made for another app user (a link sent to someone else, or a forged callback).</summary>
    OtherUser,

    /// <summary>The state was made for another business than the one the endpoint expects.</summary>
    OtherBusiness,

    /// <summary>The state is older than <see cref="SmtpOAuthOptions.StateLifetime"/>: the owner should press "Connect" again.</summary>
    Expired,

    /// <summary>The state was already used (a replayed or reloaded callback).</summary>
    Replayed,

    /// <summary>The owner declined, or the provider returned an error instead of a code.</summary>
    Declined,

    /// <summary>The provider refused the code, or returned no refresh token or ID token.</summary>
    ExchangeFailed,

    /// <summary>The ID token was not for this app or request (issuer, audience, nonce, expiry), or named no mailbox.</summary>
    InvalidIdToken,

    /// <summary>The token endpoint could not be reached: the owner may try again.</summary>
    ProviderUnavailable,
}

/// <summary>The end of a connect: the grant stored, or why nothing was stored.</summary>
public sealed class SmtpOAuthConnectResult
{
    private SmtpOAuthConnectResult(SmtpOAuthGrant? grant, SmtpOAuthConnectError error, string message, string? businessId)
    {
        Grant = grant;
        Error = error;
        Message = message;
        BusinessId = businessId;
    }

    /// <summary>Gets whether the grant was stored.</summary>
    public bool Succeeded => Error == SmtpOAuthConnectError.None;

    /// <summary>Gets the stored grant; <see langword="null"/> when nothing was stored.</summary>
    public SmtpOAuthGrant? Grant { get; }

    /// <summary>Gets why nothing was stored.</summary>
    public SmtpOAuthConnectError Error { get; }

    /// <summary>Gets what the app can show the owner, never a token.</summary>
    public string Message { get; }

    /// <summary>Gets the business the state named, when it could be read; <see langword="null"/> for a forged state.</summary>
    public string? BusinessId { get; }

    internal static SmtpOAuthConnectResult Stored(SmtpOAuthGrant grant) =>
        new(grant, SmtpOAuthConnectError.None, $"Your mailbox {grant.Mailbox} is connected.", grant.BusinessId);

    internal static SmtpOAuthConnectResult Refused(SmtpOAuthConnectError error, string message, string? businessId = null) =>
        new(null, error, message, businessId);

    /// <inheritdoc />
    public override string ToString() => Succeeded ? $"connected: {Grant}" : $"refused ({Error}): {Message}";
}

/// <summary>The end of a disconnect.</summary>
public sealed class SmtpOAuthDisconnectResult
{
    internal SmtpOAuthDisconnectResult(bool grantDeleted, bool revoked, string? provider)
    {
        GrantDeleted = grantDeleted;
        Revoked = revoked;
        Provider = provider;
    }

    /// <summary>Gets whether a grant was stored and is now deleted.</summary>
    public bool GrantDeleted { get; }

    /// <summary>Gets whether the provider confirmed the revocation; <see langword="false"/> when it has no revocation endpoint or it failed.</summary>
    public bool Revoked { get; }

    /// <summary>Gets the provider of the deleted grant; <see langword="null"/> when there was none.</summary>
    public string? Provider { get; }

    /// <inheritdoc />
    public override string ToString() => GrantDeleted ? $"disconnected from {Provider} (revoked: {Revoked})" : "no mailbox was connected";
}
