namespace PetSitter.Email.OAuth;

/// <summary>
/// A business's OAuth2 grant for its owner's mailbox, as the app stores it: which provider, the mailbox (the
/// SMTP user name, read from the ID token), the scopes granted and the refresh token. The refresh token is a
/// secret: it is not in <see cref="ToString"/> and the library never logs it.
/// </summary>
/// <param name="BusinessId">The business the mailbox sends for.</param>
/// <param name="Provider">The provider's name, for example <c>Microsoft 365</c>.</param>
/// <param name="GrantId">The library's id of this grant, new at each connect; it becomes <see cref="SmtpAccountSettings.AccessTokenGrantId"/>.</param>
/// <param name="Mailbox">The mailbox address from the ID token's <c>email</c> claim.</param>
/// <param name="Scopes">The scopes the provider granted.</param>
/// <param name="RefreshToken">The refresh token (secret). Replaced when the provider rotates it.</param>
/// <param name="ConnectedBy">The app user who connected the mailbox.</param>
/// <param name="ConnectedAt">When the mailbox was connected.</param>
public sealed record SmtpOAuthGrant(
    string BusinessId,
    string Provider,
    string GrantId,
    string Mailbox,
    IReadOnlyList<string> Scopes,
    string RefreshToken,
    string ConnectedBy,
    DateTimeOffset ConnectedAt)
{
    /// <summary>Describes the grant without its refresh token.</summary>
    /// <returns>For example <c>grant 3f2a… of owner@contoso.com (Microsoft 365) for business-1</c>.</returns>
    public override string ToString() => $"grant {GrantId} of {Mailbox} ({Provider}) for {BusinessId}";
}
