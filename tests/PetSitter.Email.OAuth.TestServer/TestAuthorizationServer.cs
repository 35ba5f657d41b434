using System.Collections.Concurrent;
using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using PetSitter.Email.Testing;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace PetSitter.Email.OAuth.TestServer;

/// <summary>How the test server behaves like a real provider.</summary>
public enum TestProviderStyle
{
    /// <summary>Like the Microsoft identity platform: each refresh returns a new refresh token and retires the old one.</summary>
    Microsoft,

    /// <summary>Like Google: a refresh returns no new refresh token; the one from the code exchange stays valid.</summary>
    Google,
}

/// <summary>What the token endpoint does with the next requests.</summary>
public enum TokenEndpointBehavior
{
    /// <summary>Answers as OpenIddict does.</summary>
    Normal,

    /// <summary>Answers <c>500 Internal Server Error</c> with an HTML page, as a provider's outage does.</summary>
    Fail,

    /// <summary>Never answers until <see cref="TestAuthorizationServer.ReleaseHangingRequests"/> or the client gives up.</summary>
    Hang,
}

/// <summary>
/// A real OpenID Connect authorization server (OpenIddict.Server with ASP.NET Core) on a loopback HTTPS port with
/// the test CA's certificate. Authorization codes and refresh tokens are self-contained (OpenIddict's degraded mode:
/// no database); clients, revoked grants and retired refresh tokens are kept in memory. Access tokens are signed
/// JWTs that <see cref="ValidateAccessToken"/> checks with the server's own key, as an SMTP server would.
/// </summary>
public sealed class TestAuthorizationServer : IAsyncDisposable
{
    /// <summary>The request header that names the mailbox signed in non-interactively at the authorization endpoint.</summary>
    public const string MailboxHeader = "X-Test-Mailbox";

    /// <summary>The sign-in page's field for the mailbox.</summary>
    public const string MailboxField = "test_mailbox";

    /// <summary>The sign-in page's consent field: <c>allow</c> or <c>deny</c>.</summary>
    public const string ConsentField = "test_consent";

    private const string GrantIdClaim = "grant_id";
    private readonly ConcurrentDictionary<string, (string Secret, Uri RedirectUri)> _clients = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _revokedMailboxes = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, byte> _expiredMailboxes = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, byte> _redeemedRefreshTokens = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _issued = new();
    private readonly RsaSecurityKey _signingKey = new(RSA.Create(2048)) { KeyId = "test-signing-key" };
    private readonly TestCertificateAuthority _authority;
    private TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _hanging = new(0);
    private WebApplication? _app;
    private int _tokenRequests;
    private int _refreshRequests;
    private int _behavior;

    private TestAuthorizationServer(TestProviderStyle style, TestCertificateAuthority authority)
    {
        Style = style;
        _authority = authority;
    }

    /// <summary>Gets how the server behaves (rotating refresh tokens or not).</summary>
    public TestProviderStyle Style { get; }

    /// <summary>Gets the server's base address, for example <c>https://127.0.0.1:5123/</c>; also the issuer of its tokens.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Gets the issuer its ID and access tokens carry.</summary>
    public string Issuer => BaseAddress.AbsoluteUri;

    /// <summary>Gets the authorization endpoint.</summary>
    public Uri AuthorizationEndpoint => new(BaseAddress, "connect/authorize");

    /// <summary>Gets the token endpoint.</summary>
    public Uri TokenEndpoint => new(BaseAddress, "connect/token");

    /// <summary>Gets the root certificate a client must trust to reach the server.</summary>
    public X509Certificate2 CertificateAuthority => _authority.Certificate;

    /// <summary>Gets how many requests reached the token endpoint (code exchanges and refreshes), measured at the server.</summary>
    public int TokenRequests => Volatile.Read(ref _tokenRequests);

    /// <summary>Gets how many of them were refresh-token requests.</summary>
    public int RefreshRequests => Volatile.Read(ref _refreshRequests);

    /// <summary>Gets every token and code the server handed out (to register with a log scan for secrets).</summary>
    public IReadOnlyCollection<string> IssuedSecrets => [.. _issued];

    /// <summary>Gets or sets what the token endpoint does with the next requests.</summary>
    public TokenEndpointBehavior TokenEndpointBehavior
    {
        get => (TokenEndpointBehavior)Volatile.Read(ref _behavior);
        set => Volatile.Write(ref _behavior, (int)value);
    }

    /// <summary>Gets or sets how long its access tokens live. Default: one hour, as Microsoft and Google issue.</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Starts a server on a free loopback port.</summary>
    /// <param name="style">Which provider it behaves like.</param>
    /// <param name="authority">The CA whose server certificate it presents; default: <see cref="TestCertificateAuthority.Shared"/>.</param>
    /// <returns>The running server. Dispose it to stop.</returns>
    public static async Task<TestAuthorizationServer> StartAsync(TestProviderStyle style, TestCertificateAuthority? authority = null)
    {
        var server = new TestAuthorizationServer(style, authority ?? TestCertificateAuthority.Shared);
        await server.StartCoreAsync().ConfigureAwait(false);
        return server;
    }

    /// <summary>Registers a confidential client (the app's registration).</summary>
    /// <param name="clientId">The client id.</param>
    /// <param name="clientSecret">The client secret.</param>
    /// <param name="redirectUri">The only redirect address accepted for it.</param>
    public void RegisterClient(string clientId, string clientSecret, Uri redirectUri) => _clients[clientId] = (clientSecret, redirectUri);

    /// <summary>
    /// Signs <paramref name="mailbox"/> in at the authorization endpoint without a page (a browser without the
    /// <see cref="MailboxHeader"/> header gets the sign-in and consent page instead) (consent assumed) and
    /// returns the callback's query parameters (<c>code</c> and <c>state</c>, or <c>error</c>), as the browser
    /// would carry them to the app.
    /// </summary>
    /// <param name="authorizationUri">The authorization request the app made.</param>
    /// <param name="mailbox">The mailbox that signs in.</param>
    /// <returns>The callback's parameters.</returns>
    public async Task<IReadOnlyDictionary<string, string?>> AuthorizeAsync(Uri authorizationUri, string mailbox)
    {
        using var client = new HttpClient(CreateHandler(allowRedirect: false), disposeHandler: true);
        using var request = new HttpRequestMessage(HttpMethod.Get, authorizationUri);
        request.Headers.Add(MailboxHeader, mailbox);
        using var response = await client.SendAsync(request).ConfigureAwait(false);
        var location = response.Headers.Location
            ?? throw new InvalidOperationException($"The authorization endpoint answered {(int)response.StatusCode} without a redirect: {await response.Content.ReadAsStringAsync().ConfigureAwait(false)}");
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(location.Query);
        var parameters = query.ToDictionary(static p => p.Key, static p => (string?)p.Value.ToString(), StringComparer.Ordinal);
        if (parameters.TryGetValue("code", out var code) && code is not null)
        {
            _issued.Enqueue(code);
        }

        return parameters;
    }

    /// <summary>Revokes every grant of the mailbox: its refresh tokens get <c>invalid_grant</c> (as after a password change or "remove access").</summary>
    /// <param name="mailbox">The mailbox.</param>
    public void RevokeGrants(string mailbox) => _revokedMailboxes[mailbox] = 0;

    /// <summary>Lets the mailbox's refresh tokens expire (as after months without use): they get <c>invalid_grant</c>.</summary>
    /// <param name="mailbox">The mailbox.</param>
    public void ExpireRefreshTokens(string mailbox) => _expiredMailboxes[mailbox] = 0;

    /// <summary>Lets every request held by <see cref="TokenEndpointBehavior.Hang"/> go on (they then answer 503).</summary>
    public void ReleaseHangingRequests() => Interlocked.Exchange(ref _release, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Completes once per request held by <see cref="TokenEndpointBehavior.Hang"/>: each call waits for the next one not yet waited for.</summary>
    /// <returns>A task that completes when a token request hangs.</returns>
    public Task NextHangingRequestAsync() => _hanging.WaitAsync();

    /// <summary>Checks an access token as an SMTP server would: signed by this server, unexpired, for the mailbox and with the scope.</summary>
    /// <param name="accessToken">The token the client sent with XOAUTH2.</param>
    /// <param name="mailbox">The user name the client signed in as.</param>
    /// <param name="scope">The scope SMTP needs, for example <c>https://outlook.office.com/SMTP.Send</c>.</param>
    /// <returns>Whether the token is good for that mailbox and scope.</returns>
    public bool ValidateAccessToken(string accessToken, string mailbox, string scope)
    {
        var result = new JsonWebTokenHandler().ValidateTokenAsync(accessToken, new TokenValidationParameters
        {
            ValidIssuer = Issuer,
            IssuerSigningKey = _signingKey,
            ValidateAudience = false,
            ClockSkew = TimeSpan.Zero,
        }).GetAwaiter().GetResult();
        if (!result.IsValid || _revokedMailboxes.ContainsKey(mailbox))
        {
            // Revoking a grant ends its access tokens too, as at Google and Microsoft.
            return false;
        }

        var scopes = result.Claims.TryGetValue("scope", out var value) ? value?.ToString()?.Split(' ') ?? [] : [];
        var email = result.Claims.TryGetValue(Claims.Email, out var address) ? address?.ToString() : null;
        return scopes.Contains(scope, StringComparer.Ordinal) && string.Equals(email, mailbox, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Creates an HTTP handler that trusts the server's certificate authority (and nothing else).</summary>
    /// <param name="allowRedirect">Whether redirects are followed.</param>
    /// <returns>The handler.</returns>
    public HttpMessageHandler CreateHandler(bool allowRedirect = true)
    {
        var root = _authority.Certificate;
        return new SocketsHttpHandler
        {
            AllowAutoRedirect = allowRedirect,
            SslOptions =
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    if (certificate is null)
                    {
                        return false;
                    }

                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(root);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return chain.Build(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
                },
            },
        };
    }

    /// <summary>Stops the server.</summary>
    /// <returns>A task that completes when it has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        ReleaseHangingRequests();
        if (_app is not null)
        {
            await _app.StopAsync().ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }

        _signingKey.Rsa?.Dispose();
        _hanging.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => $"OpenIddict test server ({Style}) at {BaseAddress}";

    private async Task StartCoreAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(_authority.ServerCertificate)));
        builder.Services.AddOpenIddict().AddServer(options =>
        {
            options.SetAuthorizationEndpointUris("connect/authorize").SetTokenEndpointUris("connect/token");
            options.AllowAuthorizationCodeFlow().AllowRefreshTokenFlow().RequireProofKeyForCodeExchange();
            options.RegisterScopes(Scopes.OpenId, Scopes.Email, Scopes.OfflineAccess, "https://outlook.office.com/SMTP.Send", "https://mail.google.com/");
            options.AddEphemeralEncryptionKey().AddSigningKey(_signingKey).DisableAccessTokenEncryption();
            options.EnableDegradedMode();
            options.DisableTokenStorage();
            if (Style == TestProviderStyle.Google)
            {
                options.DisableRollingRefreshTokens();
            }

            options.UseAspNetCore().EnableAuthorizationEndpointPassthrough();
            options.AddEventHandler<ValidateAuthorizationRequestContext>(handler => handler.UseInlineHandler(ValidateAuthorizationRequest));
            options.AddEventHandler<ValidateTokenRequestContext>(handler => handler.UseInlineHandler(ValidateTokenRequest).SetOrder(int.MaxValue - 100_000));
            options.AddEventHandler<ProcessSignInContext>(handler => handler.UseInlineHandler(KeepGoogleRefreshToken).SetOrder(OpenIddictServerHandlers.EvaluateGeneratedTokens.Descriptor.Order + 1));
            options.AddEventHandler<ApplyTokenResponseContext>(handler => handler.UseInlineHandler(RecordIssued));
        });

        var app = builder.Build();
        // Ahead of authentication, where OpenIddict answers its endpoints: the gate counts and fails every token request.
        app.Use(TokenEndpointGate);
        app.UseAuthentication();
        app.MapMethods("connect/authorize", [HttpMethods.Get, HttpMethods.Post], (Func<HttpContext, Task<IResult>>)SignInAsync);
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
        _app = app;
    }

    private async Task TokenEndpointGate(HttpContext context, RequestDelegate next)
    {
        if (!context.Request.Path.StartsWithSegments("/connect/token", StringComparison.Ordinal))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        Interlocked.Increment(ref _tokenRequests);
        switch (TokenEndpointBehavior)
        {
            case TokenEndpointBehavior.Fail:
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                context.Response.ContentType = "text/html";
                await context.Response.WriteAsync("<html><body>Service unavailable</body></html>").ConfigureAwait(false);
                return;
            case TokenEndpointBehavior.Hang:
                _hanging.Release();
                await Volatile.Read(ref _release).Task.WaitAsync(context.RequestAborted).ConfigureAwait(false);
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return;
            default:
                await next(context).ConfigureAwait(false);
                return;
        }
    }

    private async Task<IResult> SignInAsync(HttpContext context)
    {
        var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
        var mailbox = context.Request.Headers[MailboxHeader].ToString();
        if (string.IsNullOrEmpty(mailbox) && HttpMethods.IsPost(context.Request.Method) && context.Request.HasFormContentType)
        {
            // The sign-in and consent page's answer.
            var form = await context.Request.ReadFormAsync().ConfigureAwait(false);
            if (!string.Equals(form[ConsentField].ToString(), "allow", StringComparison.Ordinal))
            {
                return Results.Forbid(authenticationSchemes: [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
            }

            mailbox = form[MailboxField].ToString();
        }

        if (string.IsNullOrEmpty(mailbox))
        {
            // A browser: the sign-in and consent page, which posts the request's parameters back with the answer.
            return Results.Content(SignInPage(request), "text/html; charset=utf-8");
        }

        var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, "sub-" + mailbox.ToUpperInvariant().GetHashCode(StringComparison.Ordinal).ToString("x8", System.Globalization.CultureInfo.InvariantCulture))
            .SetClaim(Claims.Email, mailbox)
            .SetClaim(Claims.Name, mailbox)
            .SetClaim(GrantIdClaim, Guid.NewGuid().ToString("N"));
        var scopes = request.GetScopes();
        if (Style == TestProviderStyle.Google && string.Equals(request["access_type"]?.ToString(), "offline", StringComparison.Ordinal))
        {
            // Google grants lasting access with access_type=offline, not with a scope; OpenIddict issues refresh tokens for offline_access.
            scopes = scopes.Add(Scopes.OfflineAccess);
        }

        identity.SetScopes(scopes);
        identity.SetAccessTokenLifetime(AccessTokenLifetime);
        identity.SetDestinations(static claim => claim.Type switch
        {
            Claims.Email or Claims.Name => [Destinations.AccessToken, Destinations.IdentityToken],
            _ => [Destinations.AccessToken],
        });
        return Results.SignIn(new ClaimsPrincipal(identity), properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static string SignInPage(OpenIddictRequest request)
    {
        var encoder = System.Text.Encodings.Web.HtmlEncoder.Default;
        var hidden = new System.Text.StringBuilder();
        foreach (var (name, value) in request.GetParameters())
        {
            hidden.Append(System.Globalization.CultureInfo.InvariantCulture, $"<input type=\"hidden\" name=\"{encoder.Encode(name)}\" value=\"{encoder.Encode(value.ToString() ?? string.Empty)}\">");
        }

        var scopes = string.Join(string.Empty, request.GetScopes().Select(scope => $"<li>{encoder.Encode(scope)}</li>"));
        return $$"""
            <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Sign in - test authorization server</title>
            <style>body{font-family:sans-serif;max-width:32rem;margin:3rem auto}label{display:block;margin:1rem 0}</style></head>
            <body><h1>Sign in</h1><p>Test authorization server (OpenIddict). The app <b>{{encoder.Encode(request.ClientId ?? string.Empty)}}</b> asks for:</p>
            <ul>{{scopes}}</ul>
            <form method="post">{{hidden}}
            <label>Mailbox <input type="email" name="{{MailboxField}}" value="{{encoder.Encode(request.LoginHint ?? string.Empty)}}" required></label>
            <button type="submit" name="{{ConsentField}}" value="allow">Allow</button>
            <button type="submit" name="{{ConsentField}}" value="deny" formnovalidate>Deny</button>
            </form></body></html>
            """;
    }

    private ValueTask ValidateAuthorizationRequest(ValidateAuthorizationRequestContext context)
    {
        if (context.ClientId is null || !_clients.TryGetValue(context.ClientId, out var client))
        {
            context.Reject(Errors.InvalidClient, "Unknown client_id.");
        }
        else if (!string.Equals(context.RedirectUri, client.RedirectUri.AbsoluteUri, StringComparison.Ordinal))
        {
            context.Reject(Errors.InvalidRequest, "The redirect_uri is not registered for this client.");
        }

        return default;
    }

    private ValueTask ValidateTokenRequest(ValidateTokenRequestContext context)
    {
        if (context.ClientId is null || !_clients.TryGetValue(context.ClientId, out var client) || !string.Equals(context.Request.ClientSecret, client.Secret, StringComparison.Ordinal))
        {
            context.Reject(Errors.InvalidClient, "The client could not be authenticated.");
            return default;
        }

        if (!context.Request.IsRefreshTokenGrantType())
        {
            return default;
        }

        Interlocked.Increment(ref _refreshRequests);
        var mailbox = context.RefreshTokenPrincipal?.GetClaim(Claims.Email) ?? string.Empty;
        if (_revokedMailboxes.ContainsKey(mailbox))
        {
            context.Reject(Errors.InvalidGrant, "The grant was revoked.");
        }
        else if (_expiredMailboxes.ContainsKey(mailbox))
        {
            context.Reject(Errors.InvalidGrant, "The refresh token has expired.");
        }
        else if (Style == TestProviderStyle.Microsoft && !_redeemedRefreshTokens.TryAdd(context.Request.RefreshToken ?? string.Empty, 0))
        {
            // Rotation: a refresh token works once; the client must keep the new one.
            context.Reject(Errors.InvalidGrant, "The refresh token was already redeemed.");
        }

        return default;
    }

    private ValueTask KeepGoogleRefreshToken(ProcessSignInContext context)
    {
        if (Style == TestProviderStyle.Google && context.Request?.IsRefreshTokenGrantType() == true)
        {
            context.GenerateRefreshToken = false;
            context.IncludeRefreshToken = false;
        }

        return default;
    }

    private ValueTask RecordIssued(ApplyTokenResponseContext context)
    {
        foreach (var token in new[] { context.Response.AccessToken, context.Response.RefreshToken, context.Response.IdToken })
        {
            if (!string.IsNullOrEmpty(token))
            {
                _issued.Enqueue(token);
            }
        }

        return default;
    }
}
