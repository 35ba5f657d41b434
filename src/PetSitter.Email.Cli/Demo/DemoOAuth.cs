using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using PetSitter.Email.OAuth;
using PetSitter.Email.Testing;

namespace PetSitter.Email.Cli.Demo;

/// <summary>
/// Two businesses whose Microsoft 365 mailboxes were connected with "Connect Microsoft 365" (PetSitter.Email.OAuth):
/// one sends over XOAUTH2, the other's owner has since revoked the app's access. The demo cannot run a real sign-in, so
/// the grants are stored as the connect flow leaves them, and the token endpoint is a demo stand-in: an in-process
/// <see cref="HttpMessageHandler"/> (<see cref="DemoTokenEndpoint"/>) that answers a refresh with an access token, or
/// with <c>invalid_grant</c> for the revoked grant. Everything else is the library's own: the token service, the
/// grant store, the SMTP sign-in with XOAUTH2 and what a revoked grant does to the account.
/// </summary>
internal static class DemoOAuth
{
    public const string ConnectedBusiness = "muddypaws";
    public const string RevokedBusiness = "cosycats";
    internal const string ConnectedRefreshToken = "demo-refresh-token-muddypaws";
    internal const string RevokedRefreshToken = "demo-refresh-token-cosycats";
    internal const string AccessToken = "demo-access-token-muddypaws";
    private const string ConnectedMailbox = "office@muddypaws.example";
    private const string RevokedMailbox = "hello@cosycats.example";

    public static void Configure(SmtpOAuthOptions options)
    {
        // A fixed demo key: the demo makes no authorization request, but the options must be valid.
        options.StateKey = Convert.ToBase64String(Enumerable.Range(0, 32).Select(static i => (byte)(i * 5 + 1)).ToArray());
        options.Microsoft.ClientId = "petsitter-email-demo";
        options.Microsoft.ClientSecret = "demo-client-secret";
    }

    public static ScriptedSmtpServerOptions ServerOptions() => new()
    {
        Security = ScriptedServerSecurity.StartTlsRequired,
        ServerName = "smtp.office365.emulated",
        AccessTokenValidator = static (user, token) => string.Equals(user, ConnectedMailbox, StringComparison.OrdinalIgnoreCase) && string.Equals(token, AccessToken, StringComparison.Ordinal),
        AccessTokenRejectedReply = ProviderReplies.Microsoft365.AccessTokenRejected,
    };

    /// <summary>Stores both grants and returns the two businesses, sending through the emulated Microsoft 365 server.</summary>
    public static async Task<IReadOnlyList<DemoBusiness>> ConnectAsync(IServiceProvider services, ScriptedSmtpServer server, CancellationToken cancellationToken)
    {
        var store = services.GetRequiredService<ISmtpOAuthGrantStore>();
        var connector = services.GetRequiredService<ISmtpOAuthConnector>();
        var connectedAt = services.GetRequiredService<TimeProvider>().GetUtcNow();
        string[] scopes = ["https://outlook.office.com/SMTP.Send", "offline_access", "openid", "email"];
        var businesses = new List<DemoBusiness>();
        foreach (var (id, name, mailbox, refreshToken, situation) in new[]
        {
            (ConnectedBusiness, "Muddy Paws", ConnectedMailbox, ConnectedRefreshToken, "Microsoft 365 connected with \"Connect Microsoft 365\": sends over XOAUTH2"),
            (RevokedBusiness, "Cosy Cats", RevokedMailbox, RevokedRefreshToken, "Microsoft 365 connected, then the owner revoked the app's access: must reconnect"),
        })
        {
            var grant = new SmtpOAuthGrant(id, SmtpOAuthProviders.MicrosoftName, "grant-" + id, mailbox, scopes, refreshToken, "demo-owner", connectedAt);
            await store.SaveAsync(grant, cancellationToken).ConfigureAwait(false);
            var own = connector.CreateSmtpSettings(grant);
            var emulated = server.CreateOAuthAccountSettings(own.AccessTokenProvider!, mailbox, mailbox, grant.GrantId);
            businesses.Add(new DemoBusiness(id, name, mailbox, situation, new BusinessEmailSettings
            {
                BusinessId = id,
                BusinessName = name,
                ReplyToAddress = mailbox,
                Smtp = new SmtpAccountSettings
                {
                    Host = emulated.Host,
                    Port = emulated.Port,
                    Security = emulated.Security,
                    UserName = emulated.UserName,
                    AccessTokenProvider = emulated.AccessTokenProvider,
                    AccessTokenGrantId = emulated.AccessTokenGrantId,
                    FromAddress = emulated.FromAddress,
                    TrustedCertificateAuthorities = emulated.TrustedCertificateAuthorities,
                    Provider = "Microsoft 365",
                },
            }, "oauth-office365"));
        }

        return businesses;
    }
}

/// <summary>
/// Demo stand-in for Microsoft's token endpoint, answered in process (no network): a refresh of the connected grant
/// gets an access token for an hour; the revoked grant gets <c>400 invalid_grant</c>, as after the owner removed the
/// app's access.
/// </summary>
internal sealed class DemoTokenEndpoint : HttpMessageHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var form = body.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(static pair => pair.Split('=', 2))
            .ToDictionary(static p => Uri.UnescapeDataString(p[0]), static p => p.Length > 1 ? Uri.UnescapeDataString(p[1].Replace('+', ' ')) : string.Empty, StringComparer.Ordinal);
        var connected = form.GetValueOrDefault("grant_type") == "refresh_token" && form.GetValueOrDefault("refresh_token") == DemoOAuth.ConnectedRefreshToken;
        var json = connected
            ? $$"""{"token_type":"Bearer","expires_in":3600,"access_token":"{{DemoOAuth.AccessToken}}","scope":"https://outlook.office.com/SMTP.Send"}"""
            : """{"error":"invalid_grant","error_description":"Demo stand-in: the user has revoked the app's access."}""";
        return new HttpResponseMessage(connected ? HttpStatusCode.OK : HttpStatusCode.BadRequest)
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
            RequestMessage = request,
        };
    }
}
