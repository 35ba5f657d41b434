namespace PetSitter.Email;

/// <summary>What an <see cref="ISmtpAccessTokenProvider"/> is asked for: a token for one account, fresh or cached.</summary>
public sealed class SmtpAccessTokenRequest
{
    /// <summary>Creates a request.</summary>
    /// <param name="account">The account that signs in; its <see cref="SmtpAccountSettings.UserName"/> must be set.</param>
    /// <param name="forceRefresh">Whether the server refused the last token, so a cached one must not be returned.</param>
    /// <exception cref="ArgumentNullException"><paramref name="account"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The account has no user name.</exception>
    public SmtpAccessTokenRequest(SmtpAccountSettings account, bool forceRefresh)
    {
        ArgumentNullException.ThrowIfNull(account);
        if (string.IsNullOrEmpty(account.UserName))
        {
            throw new ArgumentException("An access token is for a mailbox: the account's UserName must be set.", nameof(account));
        }

        Account = account;
        UserName = account.UserName;
        ForceRefresh = forceRefresh;
    }

    /// <summary>Gets the account's settings, for apps that keep tokens per business or per provider.</summary>
    public SmtpAccountSettings Account { get; }

    /// <summary>Gets the mailbox the token must be for (XOAUTH2 signs in as this user), for example <c>owner@gmail.com</c>.</summary>
    public string UserName { get; }

    /// <summary>Gets the SMTP server's host name, which tells the provider apart (<c>smtp.gmail.com</c>, <c>smtp.office365.com</c>).</summary>
    public string Host => Account.Host;

    /// <summary>
    /// Gets whether the server refused the previous token: refresh it (for example with the stored refresh
    /// token) rather than return the cached one.
    /// </summary>
    public bool ForceRefresh { get; }

    /// <inheritdoc />
    public override string ToString() => $"access token for {UserName} at {Host}{(ForceRefresh ? " (refresh)" : string.Empty)}";
}
