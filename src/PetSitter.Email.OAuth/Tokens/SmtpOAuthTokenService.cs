using System.Collections.Concurrent;
using System.Net;
using Duende.IdentityModel.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PetSitter.Email.OAuth.Tokens;

/// <summary>
/// Access tokens of every connected mailbox: cached until <see cref="SmtpOAuthOptions.RefreshBeforeExpiry"/> before
/// they expire, refreshed by one request per grant however many sends wait, the rotated refresh token saved before
/// the new access token is handed out, and the token endpoint's answers turned into the core's failure kinds.
/// </summary>
internal sealed class SmtpOAuthTokenService(
    IOptions<SmtpOAuthOptions> options,
    ISmtpOAuthGrantStore grants,
    IHttpClientFactory httpClients,
    TimeProvider time,
    ILogger<SmtpOAuthTokenService> logger,
    ISmtpOAuthTokenCoordinator? coordinator = null)
{
    public const string HttpClientName = "PetSitter.Email.OAuth";

    private readonly ConcurrentDictionary<(string BusinessId, string GrantId), CachedToken> _tokens = new();

    public async ValueTask<string> GetAccessTokenAsync(string businessId, string grantId, bool forceRefresh, CancellationToken cancellationToken)
    {
        var entry = _tokens.GetOrAdd((businessId, grantId), static _ => new CachedToken());
        var seen = entry.Current;
        if (!forceRefresh && seen is { } cached && cached.RefreshAt > time.GetUtcNow())
        {
            return cached.AccessToken;
        }

        await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Whoever held the gate may have refreshed already: a token newer than the one we saw is fresh.
            var current = entry.Current;
            if (current is not null && current.RefreshAt > time.GetUtcNow() && (!forceRefresh || !ReferenceEquals(current, seen)))
            {
                return current.AccessToken;
            }

            var refreshed = coordinator is null
                ? await RefreshAsync(businessId, grantId, cancellationToken).ConfigureAwait(false)
                : await RefreshAcrossInstancesAsync(coordinator, businessId, grantId, forceRefresh ? seen?.AccessToken : null, cancellationToken).ConfigureAwait(false);
            entry.Current = refreshed;
            return refreshed.AccessToken;
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    /// <summary>Keeps the access token the code exchange returned, so the first send needs no token request.</summary>
    public void Prime(SmtpOAuthGrant grant, string accessToken, int expiresInSeconds) =>
        _tokens.GetOrAdd((grant.BusinessId, grant.GrantId), static _ => new CachedToken()).Current = Token(accessToken, expiresInSeconds);

    /// <summary>Drops the cached access token of a disconnected grant.</summary>
    public void Forget(string businessId, string grantId)
    {
        _tokens.TryRemove((businessId, grantId), out _);
        if (coordinator is not null)
        {
            // Best effort: the shared token expires on its own, and a disconnect must not fail on it.
            _ = coordinator.RemoveAsync(grantId, CancellationToken.None).AsTask().ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
        }
    }

    /// <summary>
    /// One refresh per grant across instances: a fresh shared token is used as is; otherwise the instance that takes the
    /// grant's lock refreshes (the rotated refresh token is saved before the lock is released) and shares the token, and
    /// the others wait for the lock and read it. A lock whose holder died expires after the token request timeout.
    /// </summary>
    private async Task<TokenEntry> RefreshAcrossInstancesAsync(ISmtpOAuthTokenCoordinator shared, string businessId, string grantId, string? refused, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var lease = settings.TokenRequestTimeout * 2;
        var started = time.GetTimestamp();
        while (true)
        {
            if (await FreshSharedAsync(shared, grantId, refused, cancellationToken).ConfigureAwait(false) is { } found)
            {
                return found;
            }

            var held = await shared.TryLockAsync(grantId, lease, cancellationToken).ConfigureAwait(false);
            if (held is not null)
            {
                await using (held.ConfigureAwait(false))
                {
                    // The previous holder may have shared a token between our read and our lock.
                    if (await FreshSharedAsync(shared, grantId, refused, cancellationToken).ConfigureAwait(false) is { } meanwhile)
                    {
                        return meanwhile;
                    }

                    if (refused is not null)
                    {
                        await shared.RemoveAsync(grantId, cancellationToken).ConfigureAwait(false);
                    }

                    var refreshed = await RefreshAsync(businessId, grantId, cancellationToken).ConfigureAwait(false);
                    await shared.SetAsync(grantId, new SmtpOAuthSharedToken(refreshed.AccessToken, refreshed.RefreshAt), cancellationToken).ConfigureAwait(false);
                    return refreshed;
                }
            }

            var remaining = lease - time.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                throw new SmtpAccessTokenUnavailableException($"Another instance held the refresh of grant {grantId} for longer than {lease.TotalSeconds:0.#} s.");
            }

            await shared.WaitAsync(grantId, remaining, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<TokenEntry?> FreshSharedAsync(ISmtpOAuthTokenCoordinator shared, string grantId, string? refused, CancellationToken cancellationToken)
    {
        var token = await shared.GetAsync(grantId, cancellationToken).ConfigureAwait(false);
        return token is not null && token.RefreshAt > time.GetUtcNow() && !string.Equals(token.AccessToken, refused, StringComparison.Ordinal)
            ? new TokenEntry(token.AccessToken, token.RefreshAt)
            : null;
    }

    private async Task<TokenEntry> RefreshAsync(string businessId, string grantId, CancellationToken cancellationToken)
    {
        var grant = await grants.GetAsync(businessId, cancellationToken).ConfigureAwait(false)
            ?? throw new SmtpOAuthGrantRevokedException($"Business {businessId} has no connected mailbox (its grant was deleted): connect the mailbox again.");
        var provider = options.Value.Find(grant.Provider)
            ?? throw new SmtpOAuthGrantRevokedException($"The provider '{grant.Provider}' of grant {grant.GrantId} is no longer configured: configure it, or reconnect the mailbox with another provider.");

        var settings = options.Value;
        using var timeout = new CancellationTokenSource(settings.TokenRequestTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        TokenResponse response;
        try
        {
            using var request = new RefreshTokenRequest
            {
                Address = provider.TokenEndpoint!.AbsoluteUri,
                ClientId = provider.ClientId!,
                ClientSecret = provider.ClientSecret,
                RefreshToken = grant.RefreshToken,
            };
            response = await httpClients.CreateClient(HttpClientName).RequestRefreshTokenAsync(request, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw Unavailable(provider, grant, $"no answer within {settings.TokenRequestTimeout.TotalSeconds:0.#} s", null);
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (response.IsError)
        {
            throw Refused(provider, grant, response, timeout.IsCancellationRequested, settings);
        }

        if (string.IsNullOrEmpty(response.AccessToken))
        {
            throw Unavailable(provider, grant, "the token endpoint answered without an access token", null);
        }

        var rotated = !string.IsNullOrEmpty(response.RefreshToken) && !string.Equals(response.RefreshToken, grant.RefreshToken, StringComparison.Ordinal);
        if (rotated)
        {
            // Saved before the access token is used: the provider retires the old refresh token now, and a crash
            // after this send must not leave the app holding only the retired one.
            await grants.SaveAsync(grant with { RefreshToken = response.RefreshToken! }, CancellationToken.None).ConfigureAwait(false);
        }

        var token = Token(response.AccessToken, response.ExpiresIn);
        OAuthLog.Refreshed(logger, grant.GrantId, response.ExpiresIn, rotated);
        return token;
    }

    private Exception Refused(SmtpOAuthProviderOptions provider, SmtpOAuthGrant grant, TokenResponse response, bool timedOut, SmtpOAuthOptions settings)
    {
        if (response.ErrorType == ResponseErrorType.Protocol && string.Equals(response.Error, "invalid_grant", StringComparison.Ordinal))
        {
            OAuthLog.GrantRefused(logger, grant.GrantId, "invalid_grant");
            return new SmtpOAuthGrantRevokedException($"{provider.Name} refused the refresh token of grant {grant.GrantId} (invalid_grant): the owner revoked access, changed the password or did not send for too long. Reconnect the mailbox.");
        }

        var status = response.HttpStatusCode;
        if (timedOut)
        {
            return Unavailable(provider, grant, $"no answer within {settings.TokenRequestTimeout.TotalSeconds:0.#} s", response.Exception);
        }

        if (response.ErrorType is ResponseErrorType.Exception or ResponseErrorType.Http || (int)status >= 500 || status == HttpStatusCode.TooManyRequests)
        {
            return Unavailable(provider, grant, response.ErrorType == ResponseErrorType.Exception ? "the request failed" : $"HTTP {(int)status}", response.Exception);
        }

        // invalid_client, unauthorized_client...: the app's registration, not the owner's mailbox.
        OAuthLog.GrantRefused(logger, grant.GrantId, response.Error ?? "unknown");
        return new InvalidOperationException($"{provider.Name} refused the app's token request ({response.Error}): check the client id and secret of the app's registration.");
    }

    private SmtpAccessTokenUnavailableException Unavailable(SmtpOAuthProviderOptions provider, SmtpOAuthGrant grant, string reason, Exception? inner)
    {
        OAuthLog.TokenEndpointUnavailable(logger, provider.Name, grant.GrantId, reason);
        return new SmtpAccessTokenUnavailableException($"The token endpoint of {provider.Name} was unavailable: {reason}.", inner);
    }

    private TokenEntry Token(string accessToken, int expiresInSeconds)
    {
        // A provider that names no lifetime: an hour, as Microsoft and Google both issue.
        var lifetime = TimeSpan.FromSeconds(expiresInSeconds > 0 ? expiresInSeconds : 3600);
        var margin = options.Value.RefreshBeforeExpiry < lifetime / 2 ? options.Value.RefreshBeforeExpiry : lifetime / 2;
        return new TokenEntry(accessToken, time.GetUtcNow() + lifetime - margin);
    }

    private sealed class CachedToken
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public TokenEntry? Current
        {
            get => Volatile.Read(ref field);
            set => Volatile.Write(ref field, value);
        }
    }

    private sealed record TokenEntry(string AccessToken, DateTimeOffset RefreshAt)
    {
        public override string ToString() => $"access token until {RefreshAt:O}";
    }
}

/// <summary>The core's token provider for one connected mailbox.</summary>
internal sealed class GrantAccessTokenProvider(SmtpOAuthTokenService tokens, string businessId, string grantId) : ISmtpAccessTokenProvider
{
    public ValueTask<string> GetAccessTokenAsync(SmtpAccessTokenRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return tokens.GetAccessTokenAsync(businessId, request.Account.AccessTokenGrantId ?? grantId, request.ForceRefresh, cancellationToken);
    }

    public override string ToString() => $"OAuth2 access tokens of grant {grantId}";
}
