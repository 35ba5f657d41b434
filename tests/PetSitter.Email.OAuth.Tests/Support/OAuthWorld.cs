using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using PetSitter.Email.OAuth.TestServer;
using PetSitter.Email.Testing;
using PetSitter.Email.Tests.Secrets;
using PetSitter.Email.Tests.Support;

namespace PetSitter.Email.OAuth.Tests.Support;

/// <summary>
/// One app with the OAuth package, a real OpenIddict authorization server and an SMTP server that accepts only
/// the tokens that server issued for the mailbox and the provider's SMTP scope.
/// </summary>
internal sealed class OAuthWorld : IAsyncDisposable
{
    public const string ClientId = "petsitter-app";
    public const string ClientSecret = "client-secret-7Qx2-not-for-logs";
    public const string OwnerUser = "app-user-42";
    public static readonly Uri RedirectUri = new("https://app.petsitter.test/settings/email/oauth/callback");
    public static readonly DateTimeOffset Start = new(2026, 12, 4, 9, 0, 0, TimeSpan.Zero);

    /// <summary>Long enough for a loaded 2-core machine, short enough that a hang fails the test instead of the run.</summary>
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    private readonly ServiceProvider _services;
    private readonly ConcurrentDictionary<string, BusinessEmailSettings> _settings = new(StringComparer.Ordinal);

    private OAuthWorld(TestAuthorizationServer authority, ScriptedSmtpServer smtp, Action<SmtpOAuthOptions>? configure)
    {
        Authority = authority;
        Smtp = smtp;
        TestSecrets.Register("OAuth client secret", ClientSecret);
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Time);
        services.AddTestLogging();
        services.AddSingleton<IBusinessEmailSettingsProvider>(new SettingsProvider(_settings));
        var email = services.AddPetSitterEmail(options =>
        {
            // Polly waits for its retry delay on the library's clock, which only the test moves: retry at once.
            options.Retry.Delay = TimeSpan.Zero;
            options.Smtp.Timeout = TimeSpan.FromSeconds(20);
        });
        email.ConfigureSendLimits(options => options.MaxThrottleWait = TimeSpan.Zero);
        var oauth = email.AddOAuth(options =>
        {
            options.StateKey = Convert.ToBase64String(new byte[32].Select((_, i) => (byte)(i * 7 + 3)).ToArray());
            var provider = authority.Style == TestProviderStyle.Microsoft ? options.Microsoft : options.Google;
            provider.ClientId = ClientId;
            provider.ClientSecret = ClientSecret;
            provider.AuthorizationEndpoint = authority.AuthorizationEndpoint;
            provider.TokenEndpoint = authority.TokenEndpoint;
            provider.Issuer = authority.Issuer;
            configure?.Invoke(options);
        }).UseInMemoryGrantStore();
        oauth.TokenClient.ConfigurePrimaryHttpMessageHandler(() => authority.CreateHandler());
        services.Replace(ServiceDescriptor.Singleton<INativeMailer>(Native));
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        _services.GetRequiredService<IStartupValidator>().Validate();
        Health.HealthChanged += (_, e) => HealthChanges.Enqueue(e);
        authority.RegisterClient(ClientId, ClientSecret, RedirectUri);
    }

    public TestAuthorizationServer Authority { get; }

    public ScriptedSmtpServer Smtp { get; }

    public FakeTimeProvider Time { get; } = new(Start);

    public RecordingNativeMailer Native { get; } = new();

    public ConcurrentQueue<AccountHealthChangedEventArgs> HealthChanges { get; } = new();

    public ISmtpOAuthConnector Connector => _services.GetRequiredService<ISmtpOAuthConnector>();

    public InMemorySmtpOAuthGrantStore Grants => (InMemorySmtpOAuthGrantStore)_services.GetRequiredService<ISmtpOAuthGrantStore>();

    public IAccountHealthMonitor Health => _services.GetRequiredService<IAccountHealthMonitor>();

    public IEmailSender Sender => _services.GetRequiredService<IEmailSender>();

    /// <summary>The scope the SMTP server requires of a token, as the provider's does.</summary>
    public string SmtpScope => Authority.Style == TestProviderStyle.Microsoft ? "https://outlook.office.com/SMTP.Send" : "https://mail.google.com/";

    public static async Task<OAuthWorld> StartAsync(TestProviderStyle style, Action<SmtpOAuthOptions>? configure = null)
    {
        var authority = await TestAuthorizationServer.StartAsync(style);
        var scope = style == TestProviderStyle.Microsoft ? "https://outlook.office.com/SMTP.Send" : "https://mail.google.com/";
        var smtp = await ScriptedSmtpServer.StartAsync(new ScriptedSmtpServerOptions
        {
            Security = ScriptedServerSecurity.ImplicitTls,
            AccessTokenValidator = (user, token) => authority.ValidateAccessToken(token, user, scope),
            AccessTokenRejectedReply = style == TestProviderStyle.Microsoft ? ProviderReplies.Microsoft365.AccessTokenRejected : ProviderReplies.Gmail.AccessTokenRejected,
        });
        return new OAuthWorld(authority, smtp, configure);
    }

    /// <summary>The owner presses "Connect", signs in at the provider as <paramref name="mailbox"/>, and the app handles the callback.</summary>
    public async Task<SmtpOAuthGrant> ConnectAsync(string businessId, string mailbox)
    {
        var provider = Authority.Style == TestProviderStyle.Microsoft ? SmtpOAuthProviders.MicrosoftName : SmtpOAuthProviders.GoogleName;
        var request = await Connector.CreateAuthorizationRequestAsync(businessId, OwnerUser, provider, RedirectUri);
        var callback = await Authority.AuthorizeAsync(request.AuthorizationUri, mailbox);
        var result = await Connector.CompleteAsync(SmtpOAuthCallback.From(callback), OwnerUser, businessId);
        RegisterIssuedSecrets();
        result.Succeeded.Should().BeTrue(result.ToString());
        UseGrant(result.Grant!);
        return result.Grant!;
    }

    /// <summary>Points the business's SMTP settings at the test SMTP server with the grant's token provider.</summary>
    public void UseGrant(SmtpOAuthGrant grant)
    {
        var settings = Connector.CreateSmtpSettings(grant);
        _settings[grant.BusinessId] = new BusinessEmailSettings
        {
            BusinessId = grant.BusinessId,
            BusinessName = "Paws & Claws",
            ReplyToAddress = "desk@business.example",
            Smtp = Smtp.CreateOAuthAccountSettings(settings.AccessTokenProvider!, grant.Mailbox, grant.Mailbox, grant.GrantId),
        };
    }

    /// <summary>Gives the business a Microsoft 365 password account on the test SMTP server (the account before the migration).</summary>
    public void UsePasswordAccount(string businessId, string mailbox)
    {
        var password = Smtp.CreateAccountSettings(mailbox, mailbox, TestSecrets.OwnerPassword);
        _settings[businessId] = new BusinessEmailSettings
        {
            BusinessId = businessId,
            BusinessName = "Paws & Claws",
            ReplyToAddress = "desk@business.example",
            Smtp = new SmtpAccountSettings
            {
                Host = password.Host,
                Port = password.Port,
                Security = password.Security,
                UserName = password.UserName,
                Password = password.Password,
                FromAddress = password.FromAddress,
                TrustedCertificateAuthorities = password.TrustedCertificateAuthorities,
                Provider = "Microsoft 365",
            },
        };
    }

    public async Task<SendOutcome> SendAsync(string businessId, EmailCategory category, int number)
    {
        var message = new MimeMessage { MessageId = $"m{number:00000}@oauth.petsitter.test", Subject = $"{category} #{number}" };
        message.From.Add(new MailboxAddress("Front desk", "desk@business.example"));
        message.To.Add(MailboxAddress.Parse("client@clients.example"));
        message.Body = new TextPart("plain") { Text = $"Message {number}: thanks for letting us look after Bello." };
        using var guard = new CancellationTokenSource(Guard);
        return await Sender.SendAsync(new OutgoingEmail(businessId, category, message), guard.Token);
    }

    /// <summary>Every code and token the authorization server issued joins the log scan's secrets.</summary>
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
        await _services.DisposeAsync();
        await Smtp.DisposeAsync();
        await Authority.DisposeAsync();
    }

    private sealed class SettingsProvider(ConcurrentDictionary<string, BusinessEmailSettings> settings) : IBusinessEmailSettingsProvider
    {
        public ValueTask<BusinessEmailSettings?> GetSettingsAsync(string businessId, CancellationToken cancellationToken) =>
            ValueTask.FromResult(settings.GetValueOrDefault(businessId));
    }
}
