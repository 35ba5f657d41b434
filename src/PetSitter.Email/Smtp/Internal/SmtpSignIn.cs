using System.Net;
using MailKit.Net.Smtp;
using MailKit.Security;

namespace PetSitter.Email.Smtp;

/// <summary>
/// Signs a connected client in with the account's credential, for the transport and the diagnostics alike:
/// a password over exactly one mechanism, or an OAuth2 access token over XOAUTH2, refreshed once when the
/// server refuses it.
/// </summary>
internal static class SmtpSignIn
{
    public const string OAuth2Mechanism = "XOAUTH2";

    /// <summary>The mechanism <see cref="AuthenticateAsync"/> will use for <paramref name="account"/> on a server offering <paramref name="offered"/>.</summary>
    /// <remarks>For a password account this narrows <paramref name="offered"/> to one mechanism (see <see cref="SmtpConnection.UseOneMechanism"/>).</remarks>
    public static string? ChooseMechanism(SmtpAccountSettings account, HashSet<string> offered)
    {
        if (account.UsesAccessTokens)
        {
            return offered.Contains(OAuth2Mechanism) ? OAuth2Mechanism : null;
        }

        KeepPasswordMechanisms(offered);
        return offered.FirstOrDefault();
    }

    /// <summary>
    /// Narrows the offer to one password mechanism. Token mechanisms go first: given a user name and password,
    /// MailKit would otherwise send the password as a bearer token to a server that offers only XOAUTH2.
    /// </summary>
    private static void KeepPasswordMechanisms(HashSet<string> offered)
    {
        offered.RemoveWhere(mechanism => mechanism.Equals(OAuth2Mechanism, StringComparison.OrdinalIgnoreCase) || mechanism.Equals("OAUTHBEARER", StringComparison.OrdinalIgnoreCase));
        SmtpConnection.UseOneMechanism(offered);
    }

    /// <summary>Signs in. The tracker must already be in the <see cref="SmtpStage.Authenticate"/> operation.</summary>
    /// <exception cref="SmtpTransportException">No access token could be had, or the server refused the refreshed one.</exception>
    public static async Task AuthenticateAsync(SmtpClient client, SmtpAccountSettings account, SmtpStageTracker tracker, CancellationToken cancellationToken)
    {
        if (account.AccessTokenProvider is null)
        {
            KeepPasswordMechanisms(client.AuthenticationMechanisms);
            await client.AuthenticateAsync(new NetworkCredential(account.UserName, account.Password), cancellationToken).ConfigureAwait(false);
            return;
        }

        var token = await GetTokenAsync(account, forceRefresh: false, cancellationToken).ConfigureAwait(false);
        try
        {
            await client.AuthenticateAsync(new SaslMechanismOAuth2(account.UserName!, token), cancellationToken).ConfigureAwait(false);
            return;
        }
        catch (AuthenticationException) when (client.IsConnected && !IsTemporary(tracker))
        {
            // Tokens expire every hour or so and a cached one may be stale: one refresh, on the same connection.
        }

        tracker.BeginOperation(SmtpStage.Authenticate);
        token = await GetTokenAsync(account, forceRefresh: true, cancellationToken).ConfigureAwait(false);
        try
        {
            await client.AuthenticateAsync(new SaslMechanismOAuth2(account.UserName!, token), cancellationToken).ConfigureAwait(false);
        }
        catch (AuthenticationException ex) when (!IsTemporary(tracker))
        {
            var translated = SmtpFailureTranslator.Translate(ex, tracker, certificates: null, endpoint: string.Empty, TimeSpan.Zero);
            throw new SmtpTransportException(
                SmtpStage.Authenticate,
                translated.StatusCode,
                translated.Reply,
                new SmtpAccessTokenException($"The server refused a freshly refreshed access token for {account.UserName}.", ex));
        }
    }

    private static bool IsTemporary(SmtpStageTracker tracker) => tracker.FirstErrorReply is { Code: >= 400 and < 500 };

    private static async Task<string> GetTokenAsync(SmtpAccountSettings account, bool forceRefresh, CancellationToken cancellationToken)
    {
        string? token;
        try
        {
            token = await account.AccessTokenProvider!.GetAccessTokenAsync(new SmtpAccessTokenRequest(account, forceRefresh), cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (SmtpAccessTokenUnavailableException ex)
        {
            // Not wrapped as an access-token failure: the grant is fine, the token service is not (Transient).
            throw new SmtpTransportException(
                SmtpStage.Authenticate,
                null,
                $"No {(forceRefresh ? "refreshed " : string.Empty)}access token for {account.UserName} could be had for now: the authorization server was unavailable.",
                ex);
        }
        catch (Exception ex)
        {
            // The provider's message is not repeated: an app's token client may quote what it sent.
            throw NoToken(account, forceRefresh, $"the access token provider threw {ex.GetType().Name}", ex);
        }

        if (string.IsNullOrWhiteSpace(token) || token.Any(c => char.IsControl(c) || c == ' '))
        {
            throw NoToken(account, forceRefresh, "the access token provider returned an empty or malformed token", null);
        }

        return token;
    }

    private static SmtpTransportException NoToken(SmtpAccountSettings account, bool forceRefresh, string why, Exception? inner) => new(
        SmtpStage.Authenticate,
        null,
        $"No {(forceRefresh ? "refreshed " : string.Empty)}access token for {account.UserName} could be had: {why}.",
        new SmtpAccessTokenException($"No access token for {account.UserName}: {why}.", inner));
}
