using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using PetSitter.Email.OAuth;
using PetSitter.Email.OAuth.TestServer;
using PetSitter.Email.Redis.Tests.Support;
using PetSitter.Email.Testing;
using PetSitter.Email.Tests.Secrets;
using PetSitter.Email.Tests.Support;

namespace PetSitter.Email.Redis.Tests.OAuth;

/// <summary>
/// Several app instances with PetSitter.Email.OAuth and Redis against the real OpenIddict test server (Microsoft-style
/// rotating refresh tokens: a refresh token works once) and an SMTP server that accepts only the tokens it issued.
/// </summary>
[Collection(RedisGroup.Name)]
public sealed class FleetTokenRefreshTests(RedisFixture redis)
{
    private const string Business = "biz-oauth-fleet";
    private const string Mailbox = "owner@contoso.test";

    [Fact]
    public async Task Four_instances_with_an_expired_token_make_one_token_request_and_every_send_signs_in()
    {
        await using var world = await OAuthFleet.StartAsync(redis, instances: 4);
        await world.ConnectAsync(Business, Mailbox);
        world.Time.Advance(TimeSpan.FromHours(2));
        var before = world.Authority.TokenRequests;

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 80).Select(n => world.SendAsync(n % 4, Business, n)));

        outcomes.Should().OnlyContain(o => o.Status == SendStatus.Sent && o.Channel == EmailChannel.Smtp, "the refreshed token signs every instance in");
        (world.Authority.TokenRequests - before).Should().Be(1, "one refresh per grant across the fleet, measured at the authorization server");
        world.Smtp.Messages.Should().HaveCount(80);
        await world.DisposeAsync();
        world.Authority.RefreshRequests.Should().BeGreaterThan(0);
    }

    [Fact]
    public async Task The_shared_token_lives_in_Redis_until_shortly_before_it_expires()
    {
        await using var world = await OAuthFleet.StartAsync(redis, instances: 2);
        var grant = await world.ConnectAsync(Business, Mailbox);
        world.Time.Advance(TimeSpan.FromHours(2));

        (await world.SendAsync(0, Business, 1)).Status.Should().Be(SendStatus.Sent);
        var before = world.Authority.TokenRequests;
        (await world.SendAsync(1, Business, 2)).Status.Should().Be(SendStatus.Sent);

        (world.Authority.TokenRequests - before).Should().Be(0, "the second instance reads the token the first one shared");
        var keys = world.RedisKeys(grant.GrantId);
        var ttl = await redis.Admin.KeyTimeToLiveAsync(keys.Token);
        ttl.Should().NotBeNull().And.BeLessThan(TimeSpan.FromMinutes(56), "the key expires at least the refresh margin before the one-hour token");
        (await redis.Admin.KeyExistsAsync(keys.Lock)).Should().BeFalse("the lock is released after the refresh");
    }

    /// <summary>Instances sharing the clock, the grant store, the businesses' settings and the two servers.</summary>
    private sealed class OAuthFleet : IAsyncDisposable
    {
        private const string ClientId = "petsitter-app";
        private const string ClientSecret = "client-secret-fleet-9Kd3-not-for-logs";
        private const string OwnerUser = "app-user-7";
        private static readonly Uri RedirectUri = new("https://app.petsitter.test/settings/email/oauth/callback");
        private readonly List<ServiceProvider> _instances = [];
        private readonly ConcurrentDictionary<string, byte> _settings = new(StringComparer.Ordinal);
        private readonly string _prefix = RedisFixture.NewPrefix();
        private bool _disposed;

        private OAuthFleet(RedisFixture redis, TestAuthorizationServer authority, ScriptedSmtpServer smtp, int instances)
        {
            Authority = authority;
            Smtp = smtp;
            TestSecrets.Register("OAuth client secret", ClientSecret);
            for (var i = 0; i < instances; i++)
            {
                var services = new ServiceCollection();
                services.AddSingleton<TimeProvider>(Time);
                services.AddTestLogging();
                // Each instance builds the business's settings with its own connector, so each uses its own token service.
                services.AddSingleton<IBusinessEmailSettingsProvider>(provider => new SettingsProvider(_settings, provider.GetRequiredService<ISmtpOAuthConnector>(), Grants, smtp));
                var email = services.AddPetSitterEmail(options =>
                {
                    options.Retry.Delay = TimeSpan.Zero;
                    options.Smtp.Timeout = TimeSpan.FromSeconds(20);
                });
                email.ConfigureSendLimits(options => options.MaxThrottleWait = TimeSpan.Zero);
                email.UseRedis(options =>
                {
                    options.ConnectionString = redis.ConnectionString;
                    options.KeyPrefix = _prefix;
                });
                var oauth = email.AddOAuth(options =>
                {
                    options.StateKey = Convert.ToBase64String(new byte[32].Select((_, n) => (byte)(n * 5 + 1)).ToArray());
                    options.Microsoft.ClientId = ClientId;
                    options.Microsoft.ClientSecret = ClientSecret;
                    options.Microsoft.AuthorizationEndpoint = authority.AuthorizationEndpoint;
                    options.Microsoft.TokenEndpoint = authority.TokenEndpoint;
                    options.Microsoft.Issuer = authority.Issuer;
                });
                services.AddSingleton<ISmtpOAuthGrantStore>(Grants);
                oauth.TokenClient.ConfigurePrimaryHttpMessageHandler(() => authority.CreateHandler());
                services.Replace(ServiceDescriptor.Singleton<INativeMailer>(new RecordingNativeMailer()));
                var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
                provider.GetRequiredService<IStartupValidator>().Validate();
                _instances.Add(provider);
            }

            authority.RegisterClient(ClientId, ClientSecret, RedirectUri);
        }

        public TestAuthorizationServer Authority { get; }

        public ScriptedSmtpServer Smtp { get; }

        public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 4, 9, 0, 0, TimeSpan.Zero));

        public InMemorySmtpOAuthGrantStore Grants { get; } = new();

        public static async Task<OAuthFleet> StartAsync(RedisFixture redis, int instances)
        {
            const string scope = "https://outlook.office.com/SMTP.Send";
            var authority = await TestAuthorizationServer.StartAsync(TestProviderStyle.Microsoft);
            var smtp = await ScriptedSmtpServer.StartAsync(new ScriptedSmtpServerOptions
            {
                Security = ScriptedServerSecurity.ImplicitTls,
                AccessTokenValidator = (user, token) => authority.ValidateAccessToken(token, user, scope),
                AccessTokenRejectedReply = ProviderReplies.Microsoft365.AccessTokenRejected,
            });
            return new OAuthFleet(redis, authority, smtp, instances);
        }

        public (StackExchange.Redis.RedisKey Token, StackExchange.Redis.RedisKey Lock) RedisKeys(string grantId)
        {
            var keys = new global::PetSitter.Email.RedisKeys(_prefix);
            return (keys.OAuthToken(grantId), keys.OAuthRefreshLock(grantId));
        }

        /// <summary>The owner connects the mailbox through instance 0; the code exchange's token stays in that instance.</summary>
        public async Task<SmtpOAuthGrant> ConnectAsync(string businessId, string mailbox)
        {
            var connector = _instances[0].GetRequiredService<ISmtpOAuthConnector>();
            var request = await connector.CreateAuthorizationRequestAsync(businessId, OwnerUser, SmtpOAuthProviders.MicrosoftName, RedirectUri);
            var callback = await Authority.AuthorizeAsync(request.AuthorizationUri, mailbox);
            var result = await connector.CompleteAsync(SmtpOAuthCallback.From(callback), OwnerUser, businessId);
            RegisterIssuedSecrets();
            result.Succeeded.Should().BeTrue(result.ToString());
            _settings[businessId] = 0;
            return result.Grant!;
        }

        public async Task<SendOutcome> SendAsync(int instance, string businessId, int number)
        {
            var message = new MimeMessage { MessageId = $"f{number:00000}@oauth.petsitter.test", Subject = $"Visit report #{number}" };
            message.From.Add(new MailboxAddress("Front desk", "desk@business.example"));
            message.To.Add(MailboxAddress.Parse("client@clients.example"));
            message.Body = new TextPart("plain") { Text = $"Message {number}: Bello had a good walk." };
            using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var sender = _instances[instance].GetRequiredService<IEmailSender>();
            return await sender.SendAsync(new OutgoingEmail(businessId, EmailCategory.General, message), guard.Token);
        }

        public async ValueTask DisposeAsync()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            RegisterIssuedSecrets();
            foreach (var instance in _instances)
            {
                await instance.DisposeAsync();
            }

            await Smtp.DisposeAsync();
            await Authority.DisposeAsync();
        }

        private void RegisterIssuedSecrets()
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

        /// <summary>What an app does: the business's connected grant, read from its store, turned into SMTP settings.</summary>
        private sealed class SettingsProvider(ConcurrentDictionary<string, byte> connected, ISmtpOAuthConnector connector, ISmtpOAuthGrantStore grants, ScriptedSmtpServer smtp)
            : IBusinessEmailSettingsProvider
        {
            private readonly ConcurrentDictionary<string, BusinessEmailSettings> _built = new(StringComparer.Ordinal);

            public async ValueTask<BusinessEmailSettings?> GetSettingsAsync(string businessId, CancellationToken cancellationToken)
            {
                if (!connected.ContainsKey(businessId))
                {
                    return null;
                }

                if (_built.TryGetValue(businessId, out var settings))
                {
                    return settings;
                }

                var grant = (await grants.GetAsync(businessId, cancellationToken))!;
                var oauth = connector.CreateSmtpSettings(grant);
                return _built.GetOrAdd(businessId, new BusinessEmailSettings
                {
                    BusinessId = businessId,
                    BusinessName = "Paws & Claws",
                    ReplyToAddress = "desk@business.example",
                    Smtp = smtp.CreateOAuthAccountSettings(oauth.AccessTokenProvider!, grant.Mailbox, grant.Mailbox, grant.GrantId),
                });
            }
        }
    }
}
