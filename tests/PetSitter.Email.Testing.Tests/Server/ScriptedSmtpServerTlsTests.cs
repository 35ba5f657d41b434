using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using PetSitter.Email.Testing.Tests.Support;

namespace PetSitter.Email.Testing.Tests.Server;

public class ScriptedSmtpServerTlsTests
{
    [Fact]
    public async Task STARTTLS_works_for_a_client_that_trusts_the_test_authority()
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new() { Security = ScriptedServerSecurity.StartTls });
        using var client = await TestClients.ConnectAsync(server, SecureSocketOptions.StartTls);
        await client.AuthenticateAsync("owner@paws.example", "app-password");

        await client.SendAsync(TestClients.Message());

        client.IsSecure.Should().BeTrue();
        server.Messages.Should().ContainSingle().Which.Should().Match<ReceivedSmtpMessage>(m => m.WasSecure && m.UserName == "owner@paws.example");
    }

    [Fact]
    public async Task Implicit_TLS_works_for_a_client_that_trusts_the_test_authority()
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new() { Security = ScriptedServerSecurity.ImplicitTls });
        using var client = await TestClients.ConnectAsync(server, SecureSocketOptions.SslOnConnect);

        await client.SendAsync(TestClients.Message());

        client.IsSecure.Should().BeTrue();
        client.AuthenticationMechanisms.Should().Contain("PLAIN");
        server.Messages.Should().ContainSingle().Which.WasSecure.Should().BeTrue();
    }

    [Theory]
    [InlineData(ScriptedServerSecurity.StartTls, SecureSocketOptions.StartTls)]
    [InlineData(ScriptedServerSecurity.ImplicitTls, SecureSocketOptions.SslOnConnect)]
    public async Task A_certificate_from_another_authority_is_refused(ScriptedServerSecurity security, SecureSocketOptions clientSecurity)
    {
        using var stranger = TestCertificateAuthority.Create("Stranger CA");
        await using var server = await ScriptedSmtpServer.StartAsync(new() { Security = security, CertificateAuthority = stranger });

        var connect = () => TestClients.ConnectAsync(server, clientSecurity, trustedAuthority: TestCertificateAuthority.Shared.Certificate);

        await connect.Should().ThrowAsync<SslHandshakeException>();
        server.Messages.Should().BeEmpty();
    }

    [Fact]
    public async Task The_test_certificate_is_refused_by_default_validation()
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new() { Security = ScriptedServerSecurity.ImplicitTls });
        using var client = new SmtpClient { Timeout = (int)TestClients.Patience.TotalMilliseconds, CheckCertificateRevocation = false };

        var connect = () => client.ConnectAsync(server.Host, server.Port, SecureSocketOptions.SslOnConnect);

        await connect.Should().ThrowAsync<SslHandshakeException>();
    }

    [Fact]
    public async Task STARTTLS_mode_offers_sign_in_only_after_TLS()
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new() { Security = ScriptedServerSecurity.StartTls });
        using var plain = await TestClients.ConnectAsync(server, SecureSocketOptions.None);
        using var secured = await TestClients.ConnectAsync(server, SecureSocketOptions.StartTls);

        plain.Capabilities.HasFlag(SmtpCapabilities.StartTLS).Should().BeTrue();
        plain.Capabilities.HasFlag(SmtpCapabilities.Authentication).Should().BeFalse();
        secured.AuthenticationMechanisms.Should().BeEquivalentTo("PLAIN", "LOGIN");
    }

    [Fact]
    public async Task STARTTLS_mode_takes_mail_without_TLS()
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new() { Security = ScriptedServerSecurity.StartTls });
        using var client = await TestClients.ConnectAsync(server, SecureSocketOptions.None);

        await client.SendAsync(TestClients.Message());

        server.Messages.Should().ContainSingle().Which.WasSecure.Should().BeFalse();
    }

    [Fact]
    public async Task STARTTLS_required_refuses_mail_before_TLS_like_Gmail()
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new() { Security = ScriptedServerSecurity.StartTlsRequired });
        using var client = await TestClients.ConnectAsync(server, SecureSocketOptions.None);

        var send = () => client.SendAsync(TestClients.Message());

        (await send.Should().ThrowAsync<ServiceNotAuthenticatedException>()).Which.Message.Should().Be("5.7.0 Must issue a STARTTLS command first");
        server.Messages.Should().BeEmpty();
    }

    [Fact]
    public async Task STARTTLS_required_takes_mail_after_TLS()
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new() { Security = ScriptedServerSecurity.StartTlsRequired });
        using var client = await TestClients.ConnectAsync(server, SecureSocketOptions.StartTls);

        await client.SendAsync(TestClients.Message());

        server.Messages.Should().ContainSingle().Which.WasSecure.Should().BeTrue();
    }

    [Theory]
    [InlineData(ScriptedServerSecurity.StartTls)]
    [InlineData(ScriptedServerSecurity.StartTlsRequired)]
    public async Task Sign_in_before_STARTTLS_is_answered_must_issue_STARTTLS(ScriptedServerSecurity security)
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new() { Security = security });
        await using var raw = await RawSmtpConnection.ConnectAsync(server);
        await raw.ReadReplyAsync();
        (await raw.SendAsync("EHLO test")).Should().NotContain("AUTH");

        var reply = await raw.SendAsync("AUTH PLAIN " + Convert.ToBase64String("\0owner\0password"u8));

        reply.Should().Be("530 5.7.0 Must issue a STARTTLS command first\r\n");
        server.AuthenticationsFailed.Should().Be(1);
    }

    [Fact]
    public async Task The_script_sees_whether_the_connection_is_secure()
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new() { Security = ScriptedServerSecurity.StartTls });
        var seen = new List<string>();
        server.Script = context =>
        {
            if (context.Stage == SmtpStage.Ehlo)
            {
                lock (seen)
                {
                    seen.Add(context.IsSecure ? "secure" : "plain");
                }
            }

            return null;
        };

        using var client = await TestClients.ConnectAsync(server, SecureSocketOptions.StartTls);

        seen.Should().Equal("plain", "secure");
    }
}
