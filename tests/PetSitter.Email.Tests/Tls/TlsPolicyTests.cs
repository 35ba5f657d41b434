using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Reflection;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using PetSitter.Email.Testing;
using PetSitter.Email.Tests.Credentials;
using PetSitter.Email.Tests.Smtp;
using PetSitter.Email.Tests.Support;

namespace PetSitter.Email.Tests.Tls;

/// <summary>
/// The TLS rules, each pinned: TLS 1.2 or newer only; certificate validation cannot be switched off, only an
/// extra authority trusted per account; no sign-in over a plain connection unless the account allows it.
/// </summary>
public sealed class TlsPolicyTests : IAsyncDisposable
{
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(20));
    private readonly List<IAsyncDisposable> _disposables = [];

    private CancellationToken Token => _timeout.Token;

    [Fact]
    public void Every_SMTP_client_of_the_library_allows_only_TLS_1_2_and_1_3()
    {
        SmtpConnection.AllowedTlsProtocols.Should().Be(SslProtocols.Tls12 | SslProtocols.Tls13);
    }

    [Fact]
    public async Task A_server_that_speaks_only_TLS_1_1_fails_at_Tls_and_nothing_is_signed_in_or_sent()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var serverSide = ServeTls11OnceAsync(listener);
        var account = new SmtpAccountSettings
        {
            Host = IPAddress.Loopback.ToString(),
            Port = port,
            Security = SmtpSecurity.ImplicitTls,
            UserName = "owner@paws.example",
            Password = "app-password",
            FromAddress = "owner@paws.example",
            TrustedCertificateAuthorities = [TestCertificateAuthority.Shared.Certificate],
        };

        var failure = await FluentActions.Awaiting(() => Transport().SendAsync(account, MailKitSmtpTransportTests.Simple("Old TLS"), Token))
            .Should().ThrowAsync<SmtpTransportException>();

        failure.Which.Stage.Should().Be(SmtpStage.Tls);
        failure.Which.Reply.Should().Contain("TLS handshake");
        var classified = SmtpFailureClassifier.Classify(failure.Which, account.Host);
        classified.Kind.Should().BeOneOf(SmtpFailureKind.ProviderRequirementsChanged, SmtpFailureKind.Misconfigured);
        classified.IsTransient.Should().BeFalse();
        (await serverSide).Should().BeFalse("no TLS 1.1 session was ever established");
    }

    [Fact]
    public async Task A_private_authority_is_trusted_only_by_the_account_that_names_it()
    {
        using var privateCa = TestCertificateAuthority.Create("Paws Private CA");
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.ImplicitTls, CertificateAuthority = privateCa });
        var transport = Transport();
        var trusting = Account(server, "owner@paws.example", [privateCa.Certificate]);
        var other = Account(server, "office@claws.example", []);
        var untrustedBeforehand = Account(server, "desk@tails.example", []);

        var before = await FluentActions.Awaiting(() => transport.SendAsync(untrustedBeforehand, MailKitSmtpTransportTests.Simple("Before"), Token))
            .Should().ThrowAsync<SmtpTransportException>();
        await transport.SendAsync(trusting, MailKitSmtpTransportTests.Simple("Trusted"), Token);
        var after = await FluentActions.Awaiting(() => transport.SendAsync(other, MailKitSmtpTransportTests.Simple("Other"), Token))
            .Should().ThrowAsync<SmtpTransportException>();

        foreach (var refused in new[] { before.Which, after.Which })
        {
            refused.Stage.Should().Be(SmtpStage.Tls);
            refused.Reply.Should().Contain("not trusted").And.Contain("Paws Private CA");
            var classified = SmtpFailureClassifier.Classify(refused, other.Host);
            classified.RuleName.Should().Be("tls-certificate");
            classified.Advice.Should().Contain("certificate");
        }

        server.Messages.Should().ContainSingle().Which.UserName.Should().Be("owner@paws.example");
        server.AuthenticationsSucceeded.Should().Be(1, "only the account that trusts the authority got as far as signing in");
    }

    [Fact]
    public void No_public_API_of_the_library_can_switch_certificate_validation_off()
    {
        var offending = new List<string>();
        foreach (var type in typeof(SmtpAccountSettings).Assembly.GetExportedTypes())
        {
            foreach (var member in type.GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            {
                foreach (var (name, valueType) in Slots(member))
                {
                    if (IsValidationHook(valueType) || (Unwrap(valueType) == typeof(bool) && SoundsLikeSkippingValidation(name)))
                    {
                        offending.Add($"{type.Name}.{member.Name} ({name}: {valueType.Name})");
                    }
                }
            }
        }

        offending.Should().BeEmpty("certificates are always validated; the only lever is an extra trusted authority per account");
        typeof(SmtpAccountSettings).GetProperty(nameof(SmtpAccountSettings.TrustedCertificateAuthorities))!.PropertyType
            .Should().Be<IReadOnlyList<X509Certificate2>>();
    }

    [Fact]
    public async Task An_OAuth2_account_asks_for_no_token_and_sends_no_AUTH_over_a_plain_connection_unless_allowed()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.None, UserName = "owner@paws.example", AccessToken = "ya29.plain" });
        var provider = new RecordingTokenProvider(_ => "ya29.plain");
        var allowed = server.CreateOAuthAccountSettings(provider, "owner@paws.example");
        var refused = new SmtpAccountSettings
        {
            Host = allowed.Host,
            Port = allowed.Port,
            Security = SmtpSecurity.None,
            UserName = allowed.UserName,
            AccessTokenProvider = provider,
            FromAddress = allowed.FromAddress,
            AllowAuthenticationWithoutTls = false,
        };
        var transport = Transport();

        var failure = await FluentActions.Awaiting(() => transport.SendAsync(refused, MailKitSmtpTransportTests.Simple("Plain"), Token))
            .Should().ThrowAsync<SmtpTransportException>();

        failure.Which.Stage.Should().Be(SmtpStage.Authenticate);
        failure.Which.Reply.Should().Contain("AllowAuthenticationWithoutTls");
        server.AuthenticationsFailed.Should().Be(0);
        server.AuthenticationsSucceeded.Should().Be(0);
        server.AccessTokensReceived.Should().BeEmpty();
        provider.Requests.Should().BeEmpty("the token is not even fetched for a connection it must not cross");

        allowed.AllowAuthenticationWithoutTls.Should().BeTrue();
        await transport.SendAsync(allowed, MailKitSmtpTransportTests.Simple("Plain, allowed"), Token);
        server.AuthenticationsSucceeded.Should().Be(1);
        server.Messages.Should().ContainSingle().Which.WasSecure.Should().BeFalse();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var disposable in _disposables)
        {
            await disposable.DisposeAsync();
        }

        _timeout.Dispose();
    }

    private static IEnumerable<(string Name, Type Type)> Slots(MemberInfo member)
    {
        switch (member)
        {
            case PropertyInfo property:
                yield return (property.Name, property.PropertyType);
                break;
            case FieldInfo field:
                yield return (field.Name, field.FieldType);
                break;
            case MethodBase method:
                foreach (var parameter in method.GetParameters())
                {
                    yield return (parameter.Name ?? string.Empty, parameter.ParameterType);
                }

                break;
        }
    }

    private static Type Unwrap(Type type) => Nullable.GetUnderlyingType(type.IsByRef ? type.GetElementType()! : type) ?? type;

    private static bool IsValidationHook(Type type)
    {
        type = Unwrap(type);
        if (type == typeof(RemoteCertificateValidationCallback) || typeof(SslClientAuthenticationOptions).IsAssignableFrom(type))
        {
            return true;
        }

        // Any delegate that would be handed a certificate or a chain decides trust.
        var invoke = typeof(Delegate).IsAssignableFrom(type) ? type.GetMethod("Invoke") : null;
        return invoke is not null && invoke.GetParameters().Any(p => typeof(X509Certificate).IsAssignableFrom(p.ParameterType) || p.ParameterType == typeof(X509Chain) || p.ParameterType == typeof(SslPolicyErrors));
    }

    private static bool SoundsLikeSkippingValidation(string name)
    {
        var lower = name.ToLowerInvariant();
        var aboutCertificates = lower.Contains("cert", StringComparison.Ordinal) || lower.Contains("ssl", StringComparison.Ordinal) || lower.Contains("tls", StringComparison.Ordinal);
        var skipping = new[] { "validat", "ignore", "skip", "disable", "accept", "trustall", "allowinvalid", "allowuntrusted", "check", "verify", "insecure" }
            .Any(word => lower.Contains(word, StringComparison.Ordinal));
        return aboutCertificates && skipping;
    }

    private static SmtpAccountSettings Account(ScriptedSmtpServer server, string user, IReadOnlyList<X509Certificate2> authorities) => new()
    {
        Host = server.Host,
        Port = server.Port,
        Security = SmtpSecurity.ImplicitTls,
        UserName = user,
        Password = "app-password",
        FromAddress = user,
        TrustedCertificateAuthorities = authorities,
    };

    /// <summary>Accepts one connection and offers TLS 1.1 only; returns whether a TLS session came about.</summary>
    private static async Task<bool> ServeTls11OnceAsync(TcpListener listener)
    {
        using var socket = await listener.AcceptSocketAsync();
        await using var stream = new NetworkStream(socket, ownsSocket: true);
        await using var tls = new SslStream(stream);
        try
        {
            // TLS 1.1 is obsolete, which is the point: this server stands for one nobody should still talk to.
#pragma warning disable SYSLIB0039, CA5397
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificate = TestCertificateAuthority.Shared.ServerCertificate,
                EnabledSslProtocols = SslProtocols.Tls11,
            });
#pragma warning restore SYSLIB0039, CA5397
            return true;
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or NotSupportedException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private async Task<ScriptedSmtpServer> StartAsync(ScriptedSmtpServerOptions options)
    {
        var server = await ScriptedSmtpServer.StartAsync(options, Token);
        _disposables.Add(server);
        return server;
    }

    private MailKitSmtpTransport Transport()
    {
        var transport = new MailKitSmtpTransport(
            Options.Create(new SmtpTransportOptions { Timeout = TimeSpan.FromSeconds(10) }),
            TimeProvider.System,
            TestLogging.For<MailKitSmtpTransport>());
        _disposables.Add(transport);
        return transport;
    }
}
