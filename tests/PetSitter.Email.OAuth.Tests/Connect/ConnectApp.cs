using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PetSitter.Email.OAuth.Tests.Support;
using PetSitter.Email.OAuth.TestServer;
using PetSitter.Email.Testing;
using PetSitter.Email.Tests.Secrets;
using PetSitter.Email.Tests.Support;

namespace PetSitter.Email.OAuth.Tests.Connect;

/// <summary>
/// A small app as a user writes it: a settings page with "Connect Microsoft 365", <c>AddOAuth(...).UseOAuthEndpoints(...)</c>
/// and <c>MapPetSitterEmailOAuth()</c>, on Kestrel on a loopback port, against the real OpenIddict server and an SMTP
/// server that accepts only that server's tokens. Its sign-in is a cookie (or header) naming the app user: the app's
/// own authentication is not what is tested.
/// </summary>
internal sealed class ConnectApp : IAsyncDisposable
{
    public const string UserCookie = "app-user";
    public const string Owner = "app-user-42";
    public const string OtherOwner = "app-user-7";
    public const string Business = "paws-and-claws";
    public const string OtherBusiness = "happy-tails";
    public const string Mailbox = "owner@pawsandclaws.test";

    private static readonly Dictionary<string, string> Owners = new(StringComparer.Ordinal) { [Owner] = Business, [OtherOwner] = OtherBusiness };
    private readonly WebApplication _app;

    private ConnectApp(WebApplication app, TestAuthorizationServer authority, ScriptedSmtpServer smtp, Uri address)
    {
        _app = app;
        Authority = authority;
        Smtp = smtp;
        Address = address;
    }

    public TestAuthorizationServer Authority { get; }

    public ScriptedSmtpServer Smtp { get; }

    public Uri Address { get; }

    public InMemorySmtpOAuthGrantStore Grants => (InMemorySmtpOAuthGrantStore)_app.Services.GetRequiredService<ISmtpOAuthGrantStore>();

    public IEmailSender Sender => _app.Services.GetRequiredService<IEmailSender>();

    public static async Task<ConnectApp> StartAsync()
    {
        TestSecrets.Register("OAuth client secret", OAuthWorld.ClientSecret);
        var authority = await TestAuthorizationServer.StartAsync(TestProviderStyle.Microsoft);
        const string scope = "https://outlook.office.com/SMTP.Send";
        var smtp = await ScriptedSmtpServer.StartAsync(new ScriptedSmtpServerOptions
        {
            Security = ScriptedServerSecurity.ImplicitTls,
            AccessTokenValidator = (user, token) => authority.ValidateAccessToken(token, user, scope),
            AccessTokenRejectedReply = ProviderReplies.Microsoft365.AccessTokenRejected,
        });

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddTestLogging();

        // ASP.NET Core's request log writes each URL, and the callback's carries the one-time code: an app keeps
        // Microsoft.AspNetCore at Warning (docs/oauth.md says so), and so does this one; the scan would catch it.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.AddDataProtection().UseEphemeralDataProtectionProvider();
        builder.Services.AddSingleton<IBusinessEmailSettingsProvider, GrantSettings>();
        var oauth = builder.Services.AddPetSitterEmail(options => options.Smtp.Timeout = TimeSpan.FromSeconds(20))
            .AddOAuth(options =>
            {
                options.StateKey = Convert.ToBase64String(new byte[32].Select((_, i) => (byte)(i * 11 + 5)).ToArray());
                options.Microsoft.ClientId = OAuthWorld.ClientId;
                options.Microsoft.ClientSecret = OAuthWorld.ClientSecret;
                options.Microsoft.AuthorizationEndpoint = authority.AuthorizationEndpoint;
                options.Microsoft.TokenEndpoint = authority.TokenEndpoint;
                options.Microsoft.Issuer = authority.Issuer;
            })
            .UseInMemoryGrantStore()
            .UseOAuthEndpoints(options =>
            {
                options.AuthorizeBusiness = static (context, businessId) =>
                    ValueTask.FromResult(context.User.FindFirstValue(ClaimTypes.NameIdentifier) is { } user && Owners.GetValueOrDefault(user) == businessId);
                options.DefaultReturnUrl = "/settings/email";
                options.SignInCheckSettings = (grant, settings) => ForTestServer(smtp, grant, settings);
            });
        oauth.TokenClient.ConfigurePrimaryHttpMessageHandler(() => authority.CreateHandler());
        builder.Services.AddSingleton(smtp);

        var app = builder.Build();
        app.Use(SignInFromCookie);
        app.MapGet("/settings/email", SettingsPage);
        app.MapPetSitterEmailOAuth();
        await app.StartAsync();
        var address = new Uri(app.Urls.First());
        authority.RegisterClient(OAuthWorld.ClientId, OAuthWorld.ClientSecret, new Uri(address, "/email/oauth/callback"));
        return new ConnectApp(app, authority, smtp, address);
    }

    /// <summary>An HTTP client signed in as <paramref name="user"/>, with cookies and without following redirects.</summary>
    public HttpClient Client(string? user)
    {
        var handler = new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() };
        if (user is not null)
        {
            handler.CookieContainer.Add(Address, new Cookie(UserCookie, user));
        }

        return new HttpClient(handler, disposeHandler: true) { BaseAddress = Address };
    }

    public void RegisterIssuedSecrets()
    {
        foreach (var secret in Authority.IssuedSecrets)
        {
            TestSecrets.Register("issued OAuth token", secret);
        }

        foreach (var grant in Grants.Grants)
        {
            TestSecrets.Register("stored refresh token", grant.RefreshToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        RegisterIssuedSecrets();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await Smtp.DisposeAsync();
        await Authority.DisposeAsync();
    }

    private static SmtpAccountSettings ForTestServer(ScriptedSmtpServer smtp, SmtpOAuthGrant grant, SmtpAccountSettings settings) =>
        smtp.CreateOAuthAccountSettings(settings.AccessTokenProvider!, grant.Mailbox, grant.Mailbox, grant.GrantId);

    private static Task SignInFromCookie(HttpContext context, RequestDelegate next)
    {
        if (context.Request.Cookies[UserCookie] is { Length: > 0 } user)
        {
            context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, user)], "test-cookie"));
        }

        return next(context);
    }

    private static async Task SettingsPage(HttpContext context, ISmtpOAuthGrantStore grants, IAntiforgery antiforgery)
    {
        var user = context.User.FindFirstValue(ClaimTypes.NameIdentifier);
        if (user is null || !Owners.TryGetValue(user, out var business))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        var encode = HtmlEncoder.Default;
        var grant = await grants.GetAsync(business, context.RequestAborted);
        var tokens = antiforgery.GetAndStoreTokens(context);
        var result = context.Request.Query["oauth"].ToString() switch
        {
            "connected" => "<p id=\"result\" class=\"ok\">Your mailbox is connected.</p>",
            "failed" => $"<p id=\"result\" class=\"error\">The mailbox was not connected ({encode.Encode(context.Request.Query["reason"].ToString())}).</p>",
            "disconnected" => "<p id=\"result\">Your mailbox is disconnected.</p>",
            _ => string.Empty,
        };
        var status = grant is null
            ? $"<p id=\"status\">No mailbox connected.</p><a id=\"connect-microsoft\" href=\"/email/oauth/connect/microsoft?businessId={Uri.EscapeDataString(business)}&amp;returnUrl=%2Fsettings%2Femail\">Connect Microsoft 365</a>"
            : $"""
              <p id="status">Connected: {encode.Encode(grant.Mailbox)} ({encode.Encode(grant.Provider)})</p>
              <form method="post" action="/email/oauth/disconnect/microsoft">
              <input type="hidden" name="{encode.Encode(tokens.FormFieldName)}" value="{encode.Encode(tokens.RequestToken!)}">
              <input type="hidden" name="businessId" value="{encode.Encode(business)}"><input type="hidden" name="returnUrl" value="/settings/email">
              <button id="disconnect" type="submit">Disconnect</button></form>
              """;
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync($$"""
            <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Email settings - {{encode.Encode(business)}}</title>
            <style>body{font-family:sans-serif;max-width:32rem;margin:3rem auto}.ok{color:green}.error{color:#b00}</style></head>
            <body><h1>Email settings</h1>{{result}}{{status}}
            <form id="token" hidden><input type="hidden" name="{{encode.Encode(tokens.FormFieldName)}}" value="{{encode.Encode(tokens.RequestToken!)}}"></form></body></html>
            """);
    }

    /// <summary>The app's settings: the business sends through its connected mailbox (here: the test SMTP server).</summary>
    private sealed class GrantSettings(ISmtpOAuthGrantStore grants, IServiceProvider services, ScriptedSmtpServer smtp) : IBusinessEmailSettingsProvider
    {
        public async ValueTask<BusinessEmailSettings?> GetSettingsAsync(string businessId, CancellationToken cancellationToken)
        {
            if (await grants.GetAsync(businessId, cancellationToken) is not { } grant)
            {
                return null;
            }

            var settings = services.GetRequiredService<ISmtpOAuthConnector>().CreateSmtpSettings(grant);
            return new BusinessEmailSettings
            {
                BusinessId = businessId,
                BusinessName = "Paws & Claws",
                ReplyToAddress = "desk@pawsandclaws.test",
                Smtp = ForTestServer(smtp, grant, settings),
            };
        }
    }
}
