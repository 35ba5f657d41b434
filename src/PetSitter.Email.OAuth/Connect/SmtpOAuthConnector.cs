using System.Security.Cryptography;
using System.Text;
using Duende.IdentityModel.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PetSitter.Email.OAuth.Tokens;

namespace PetSitter.Email.OAuth.Connect;

/// <summary>The authorization-code flow with PKCE over Duende.IdentityModel's protocol client.</summary>
internal sealed class SmtpOAuthConnector(
    IOptions<SmtpOAuthOptions> options,
    ISmtpOAuthGrantStore grants,
    ISmtpOAuthStateStore states,
    SmtpOAuthTokenService tokens,
    IHttpClientFactory httpClients,
    TimeProvider time,
    ILogger<SmtpOAuthConnector> logger) : ISmtpOAuthConnector
{
    private readonly SealedState _sealer = new(options.Value.StateKey!);

    public ValueTask<SmtpOAuthAuthorizationRequest> CreateAuthorizationRequestAsync(
        string businessId, string appUserId, string provider, Uri redirectUri, string? loginHint = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(businessId);
        ArgumentException.ThrowIfNullOrWhiteSpace(appUserId);
        ArgumentException.ThrowIfNullOrWhiteSpace(provider);
        ArgumentNullException.ThrowIfNull(redirectUri);
        if (!redirectUri.IsAbsoluteUri)
        {
            throw new ArgumentException("redirectUri must be the absolute callback address registered with the provider, for example https://app.example/settings/email/oauth/callback.", nameof(redirectUri));
        }

        var settings = Provider(provider);
        var verifier = Base64Url.Encode(RandomNumberGenerator.GetBytes(32));
        var challenge = Base64Url.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        var nonce = Base64Url.Encode(RandomNumberGenerator.GetBytes(16));
        var expiresAt = time.GetUtcNow() + options.Value.StateLifetime;
        var state = _sealer.Seal(new StatePayload(
            Base64Url.Encode(RandomNumberGenerator.GetBytes(16)), businessId, appUserId, settings.Name, redirectUri.AbsoluteUri, verifier, nonce, expiresAt.ToUnixTimeSeconds()));

        var extra = new Parameters();
        foreach (var (key, value) in settings.AuthorizationParameters)
        {
            extra.Add(key, value);
        }

        var url = new RequestUrl(settings.AuthorizationEndpoint!.AbsoluteUri).CreateAuthorizeUrl(
            clientId: settings.ClientId!,
            responseType: "code",
            scope: string.Join(' ', settings.Scopes),
            redirectUri: redirectUri.AbsoluteUri,
            state: state,
            nonce: nonce,
            loginHint: loginHint,
            codeChallenge: challenge,
            codeChallengeMethod: "S256",
            extra: extra);
        return ValueTask.FromResult(new SmtpOAuthAuthorizationRequest(new Uri(url), state, expiresAt));
    }

    public async ValueTask<SmtpOAuthConnectResult> CompleteAsync(
        SmtpOAuthCallback callback, string appUserId, string? expectedBusinessId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(callback);
        ArgumentException.ThrowIfNullOrWhiteSpace(appUserId);
        var state = _sealer.Open(callback.State);
        if (state is null)
        {
            return Refuse(SmtpOAuthConnectError.InvalidState, "This connection link is not valid: press Connect again.", null, "the state is missing, altered or sealed with another key");
        }

        if (!string.Equals(state.AppUserId, appUserId, StringComparison.Ordinal))
        {
            return Refuse(SmtpOAuthConnectError.OtherUser, "This connection was started by another user: press Connect again.", state.BusinessId, "the state was made for another app user");
        }

        if (expectedBusinessId is not null && !string.Equals(state.BusinessId, expectedBusinessId, StringComparison.Ordinal))
        {
            return Refuse(SmtpOAuthConnectError.OtherBusiness, "This connection was started for another business: press Connect again.", state.BusinessId, "the state was made for another business");
        }

        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(state.ExpiresAtUnixSeconds);
        if (time.GetUtcNow() > expiresAt)
        {
            return Refuse(SmtpOAuthConnectError.Expired, "The connection took too long: press Connect again.", state.BusinessId, "the state has expired");
        }

        // Used only after the user and business checks: someone else's callback must not burn the owner's state.
        if (!await states.TryUseAsync(state.Id, expiresAt, cancellationToken).ConfigureAwait(false))
        {
            return Refuse(SmtpOAuthConnectError.Replayed, "This connection link was already used: press Connect again.", state.BusinessId, "the state was used before");
        }

        if (callback.Error is not null)
        {
            return Refuse(SmtpOAuthConnectError.Declined, "The mailbox was not connected: the sign-in was cancelled or refused.", state.BusinessId, $"the provider returned {callback.Error}");
        }

        if (string.IsNullOrEmpty(callback.Code) || options.Value.Find(state.Provider) is not { } provider)
        {
            return Refuse(SmtpOAuthConnectError.ExchangeFailed, "The mailbox was not connected: the provider returned no code.", state.BusinessId, "no code, or the provider is no longer configured");
        }

        TokenResponse response;
        using (var timeout = new CancellationTokenSource(options.Value.TokenRequestTimeout, time))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token))
        {
            try
            {
                using var request = new AuthorizationCodeTokenRequest
                {
                    Address = provider.TokenEndpoint!.AbsoluteUri,
                    ClientId = provider.ClientId!,
                    ClientSecret = provider.ClientSecret,
                    Code = callback.Code,
                    RedirectUri = state.RedirectUri,
                    CodeVerifier = state.CodeVerifier,
                };
                response = await httpClients.CreateClient(SmtpOAuthTokenService.HttpClientName).RequestAuthorizationCodeTokenAsync(request, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return Refuse(SmtpOAuthConnectError.ProviderUnavailable, $"{provider.Name} did not answer in time: press Connect again.", state.BusinessId, "the token endpoint did not answer in time");
            }
        }

        if (response.IsError)
        {
            return response.ErrorType == ResponseErrorType.Protocol && (int)response.HttpStatusCode < 500
                ? Refuse(SmtpOAuthConnectError.ExchangeFailed, $"{provider.Name} refused the connection: press Connect again.", state.BusinessId, $"the code exchange failed ({response.Error})")
                : Refuse(SmtpOAuthConnectError.ProviderUnavailable, $"{provider.Name} could not be reached: press Connect again.", state.BusinessId, "the token endpoint was unavailable");
        }

        if (string.IsNullOrEmpty(response.RefreshToken))
        {
            return Refuse(SmtpOAuthConnectError.ExchangeFailed, $"{provider.Name} granted no lasting access: press Connect again and allow access.", state.BusinessId, "no refresh token (Microsoft needs offline_access, Google access_type=offline)");
        }

        var (mailbox, problem) = IdTokenReader.Read(response.IdentityToken, provider, state.Nonce, time.GetUtcNow());
        if (mailbox is null)
        {
            return Refuse(SmtpOAuthConnectError.InvalidIdToken, $"{provider.Name}'s answer could not be trusted: press Connect again.", state.BusinessId, problem!);
        }

        var scopes = string.IsNullOrWhiteSpace(response.Scope) ? [.. provider.Scopes] : response.Scope.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var grant = new SmtpOAuthGrant(
            state.BusinessId, provider.Name, Base64Url.Encode(RandomNumberGenerator.GetBytes(12)), mailbox, scopes, response.RefreshToken, appUserId, time.GetUtcNow());
        await grants.SaveAsync(grant, cancellationToken).ConfigureAwait(false);
        if (!string.IsNullOrEmpty(response.AccessToken))
        {
            tokens.Prime(grant, response.AccessToken, response.ExpiresIn);
        }

        OAuthLog.Connected(logger, mailbox, provider.Name, grant.BusinessId, grant.GrantId);
        return SmtpOAuthConnectResult.Stored(grant);
    }

    public async ValueTask<SmtpOAuthDisconnectResult> DisconnectAsync(string businessId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(businessId);
        var grant = await grants.GetAsync(businessId, cancellationToken).ConfigureAwait(false);
        if (grant is null)
        {
            return new SmtpOAuthDisconnectResult(false, false, null);
        }

        var revoked = false;
        if (options.Value.Find(grant.Provider) is { RevocationEndpoint: { } endpoint } provider)
        {
            revoked = await RevokeAsync(provider, endpoint, grant, cancellationToken).ConfigureAwait(false);
        }

        await grants.DeleteAsync(businessId, cancellationToken).ConfigureAwait(false);
        tokens.Forget(businessId, grant.GrantId);
        OAuthLog.Disconnected(logger, grant.Mailbox, grant.Provider, businessId, grant.GrantId, revoked);
        return new SmtpOAuthDisconnectResult(true, revoked, grant.Provider);
    }

    public SmtpAccountSettings CreateSmtpSettings(SmtpOAuthGrant grant, string? fromAddress = null)
    {
        ArgumentNullException.ThrowIfNull(grant);
        var provider = Provider(grant.Provider);
        return new SmtpAccountSettings
        {
            Host = provider.SmtpHost!,
            Port = provider.SmtpPort,
            Security = provider.SmtpSecurity,
            UserName = grant.Mailbox,
            AccessTokenProvider = new GrantAccessTokenProvider(tokens, grant.BusinessId, grant.GrantId),
            AccessTokenGrantId = grant.GrantId,
            FromAddress = fromAddress ?? grant.Mailbox,
            Provider = provider.SmtpProvider,
        };
    }

    private async Task<bool> RevokeAsync(SmtpOAuthProviderOptions provider, Uri endpoint, SmtpOAuthGrant grant, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(options.Value.TokenRequestTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var request = new TokenRevocationRequest
            {
                Address = endpoint.AbsoluteUri,
                ClientId = provider.ClientId!,
                ClientSecret = provider.ClientSecret,
                Token = grant.RefreshToken,
                TokenTypeHint = "refresh_token",
            };
            var response = await httpClients.CreateClient(SmtpOAuthTokenService.HttpClientName).RevokeTokenAsync(request, linked.Token).ConfigureAwait(false);
            if (response.IsError)
            {
                OAuthLog.RevocationFailed(logger, provider.Name, grant.GrantId, response.Error ?? $"HTTP {(int)response.HttpStatusCode}");
                return false;
            }

            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            OAuthLog.RevocationFailed(logger, provider.Name, grant.GrantId, "no answer in time");
            return false;
        }
    }

    private SmtpOAuthProviderOptions Provider(string name) =>
        options.Value.Find(name)
        ?? throw new ArgumentException($"'{name}' is not a configured OAuth provider. Configured: {string.Join(", ", options.Value.Configured.Select(static p => p.Name))}. Set its ClientId in AddOAuth.", nameof(name));

    private SmtpOAuthConnectResult Refuse(SmtpOAuthConnectError error, string message, string? businessId, string reason)
    {
        OAuthLog.CallbackRefused(logger, error, businessId, reason);
        return SmtpOAuthConnectResult.Refused(error, message, businessId);
    }
}
