using PetSitter.Email.Testing;
using PetSitter.Email.Tests.EndToEnd;

namespace PetSitter.Email.Tests.Faults;

/// <summary>
/// The TLS handshake fails: the server's certificate is not trusted, or the account expects TLS from the
/// first byte where the server speaks plain SMTP. Nothing is sent, the password least of all.
/// </summary>
public sealed class TlsFailureTests
{
    private const string Mailbox = "hello@paws.test";

    [Fact]
    public async Task An_untrusted_certificate_stops_the_send_before_sign_in_and_falls_back_as_misconfigured()
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new()
        {
            Security = ScriptedServerSecurity.StartTls,
            CertificateAuthority = TestCertificateAuthority.Create("Impostor CA"),
        });
        await using var host = new EndToEndHost();
        var account = server.CreateAccountSettings(Mailbox, Mailbox, "app-password");
        host.Settings.Set(EndToEndHost.Business("paws", EndToEndHost.With(account, trustedAuthorities: [TestCertificateAuthority.Shared.Certificate])));

        await ShouldFailAtTlsAsync(host, server);
    }

    [Fact]
    public async Task Expecting_tls_from_a_plain_server_fails_the_handshake_before_sign_in()
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new() { Security = ScriptedServerSecurity.None });
        await using var host = new EndToEndHost();
        var account = server.CreateAccountSettings(Mailbox, Mailbox, "app-password");
        host.Settings.Set(EndToEndHost.Business("paws", EndToEndHost.With(account, security: SmtpSecurity.ImplicitTls)));

        await ShouldFailAtTlsAsync(host, server);
    }

    private static async Task ShouldFailAtTlsAsync(EndToEndHost host, ScriptedSmtpServer server)
    {
        var invoice = await host.SendAsync("paws", EmailCategory.Invoice, 1);
        var marketing = await host.SendAsync("paws", EmailCategory.Marketing, 2);

        invoice.Status.Should().Be(SendStatus.Sent, invoice.ToString());
        invoice.Channel.Should().Be(EmailChannel.Native);
        invoice.IsFallback.Should().BeTrue();
        invoice.FailureKind.Should().Be(SmtpFailureKind.Misconfigured);
        invoice.SmtpFailure!.Stage.Should().Be(SmtpStage.Tls);
        marketing.Status.Should().Be(SendStatus.Deferred, marketing.ToString());
        marketing.FailureKind.Should().Be(SmtpFailureKind.Misconfigured);
        server.ConnectionsOpened.Should().Be(1, "a TLS failure opens the account's breaker: the second message does not try again");
        (server.AuthenticationsSucceeded + server.AuthenticationsFailed).Should().Be(0, "no credentials cross a connection that is not secure");
        server.Messages.Should().BeEmpty();
        host.Native.Messages.Select(m => m.MessageId).Should().Equal(EndToEndHost.MessageId(1));
        host.Health.GetHealth("paws").Kind.Should().Be(SmtpFailureKind.Misconfigured);
    }
}
