namespace PetSitter.Email;

/// <summary>
/// What the owner must do before the account sends again, as data, so the app can show the right button
/// next to the advice ("Reconnect your mailbox", "Connect with Microsoft"). The advice says the same in words.
/// </summary>
public enum RequiredAction
{
    /// <summary>No button: the advice says what to do, or nothing needs doing (the failure passes by itself).</summary>
    None = 0,

    /// <summary>
    /// The account's OAuth2 grant was revoked or expired (the provider answered <c>invalid_grant</c>, or refused
    /// a freshly refreshed token): the owner signs in with the provider again to reconnect the mailbox.
    /// </summary>
    Reconnect = 1,

    /// <summary>
    /// The provider no longer accepts a password for SMTP on this mailbox (Microsoft 365's basic-authentication
    /// retirement, SMTP AUTH turned off): the owner connects the mailbox with the provider's sign-in (OAuth2).
    /// </summary>
    ConnectWithOAuth = 2,
}
