using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using MimeKit.IO;
using PetSitter.Email.Testing.Tests.Support;

namespace PetSitter.Email.Testing.Tests.Server;

public class ScriptedSmtpServerTests
{
    [Fact]
    public async Task Listens_on_loopback_on_a_port_of_its_own()
    {
        await using var first = await ScriptedSmtpServer.StartAsync();
        await using var second = await ScriptedSmtpServer.StartAsync();

        first.Host.Should().Be("127.0.0.1");
        first.Port.Should().BePositive();
        second.Port.Should().NotBe(first.Port);
    }

    [Fact]
    public async Task A_message_sent_with_MailKit_arrives_byte_for_byte()
    {
        await using var server = await ScriptedSmtpServer.StartAsync();
        using var client = await TestClients.ConnectAsync(server);
        var message = TestClients.Message();

        await client.SendAsync(message);

        var received = server.Messages.Should().ContainSingle().Subject;
        received.Data.ToArray().Should().Equal(WireBytes(message));
        received.Message.MessageId.Should().Be(message.MessageId);
        received.Message.Subject.Should().Be("Walk booked for Biscuit");
        received.Message.TextBody.Should().Contain("\n.A line that starts with a dot.", "dot-stuffing is undone");
        received.Sender.Should().Be("hello@paws.example");
        received.Recipients.Should().Equal("client@example.test");
        received.ConnectionId.Should().Be(1);
        received.UserName.Should().BeNull();
        received.WasSecure.Should().BeFalse();
    }

    [Fact]
    public async Task The_envelope_holds_blind_copies_the_headers_hide()
    {
        await using var server = await ScriptedSmtpServer.StartAsync();
        using var client = await TestClients.ConnectAsync(server);
        var message = TestClients.Message(to: "client@example.test");
        message.Bcc.Add(MailboxAddress.Parse("owner@paws.example"));

        await client.SendAsync(message);

        var received = server.Messages.Should().ContainSingle().Subject;
        received.Recipients.Should().Equal("client@example.test", "owner@paws.example");
        received.Message.Bcc.Count.Should().Be(0);
    }

    [Fact]
    public async Task Each_message_records_the_connection_it_came_on_and_who_signed_in()
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new() { UserName = "owner@paws.example", Password = "app-password" });
        using var first = await TestClients.ConnectAsync(server);
        await first.AuthenticateAsync("owner@paws.example", "app-password");
        using var second = await TestClients.ConnectAsync(server);

        await first.SendAsync(TestClients.Message("first"));
        await second.SendAsync(TestClients.Message("second"));

        server.Messages.Select(m => $"{m.Message.Subject} on {m.ConnectionId} by {m.UserName ?? "nobody"}")
            .Should().Equal("first on 1 by owner@paws.example", "second on 2 by nobody");
    }

    [Fact]
    public async Task Connections_are_counted_with_their_peak()
    {
        await using var server = await ScriptedSmtpServer.StartAsync();
        var clients = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => TestClients.ConnectAsync(server)));
        try
        {
            server.ConnectionsOpened.Should().Be(3);
            server.OpenConnections.Should().Be(3);
            server.PeakOpenConnections.Should().Be(3);
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }

    [Fact]
    public async Task Sign_in_attempts_are_counted_by_outcome()
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new() { UserName = "owner@paws.example", Password = "app-password" });
        using var client = await TestClients.ConnectAsync(server);
        client.AuthenticationMechanisms.Remove("LOGIN");

        var wrong = () => client.AuthenticateAsync("owner@paws.example", "old-password");
        await wrong.Should().ThrowAsync<AuthenticationException>();
        await client.AuthenticateAsync("owner@paws.example", "app-password");

        server.AuthenticationsFailed.Should().Be(1);
        server.AuthenticationsSucceeded.Should().Be(1);
    }

    [Fact]
    public async Task MailKit_spends_one_sign_in_attempt_per_offered_mechanism_on_a_wrong_password()
    {
        // Worth knowing where mailboxes lock after a few bad sign-ins: PLAIN and LOGIN are both tried.
        await using var server = await ScriptedSmtpServer.StartAsync(new() { UserName = "owner@paws.example", Password = "app-password" });
        using var client = await TestClients.ConnectAsync(server);

        var wrong = () => client.AuthenticateAsync("owner@paws.example", "old-password");

        await wrong.Should().ThrowAsync<AuthenticationException>();
        client.AuthenticationMechanisms.Should().BeEquivalentTo("PLAIN", "LOGIN");
        server.AuthenticationsFailed.Should().Be(2);
    }

    [Fact]
    public async Task Without_configured_credentials_any_sign_in_is_accepted()
    {
        await using var server = await ScriptedSmtpServer.StartAsync();
        using var client = await TestClients.ConnectAsync(server);

        await client.AuthenticateAsync("anyone", "anything");

        client.IsAuthenticated.Should().BeTrue();
        server.AuthenticationsSucceeded.Should().Be(1);
    }

    [Fact]
    public async Task Waiting_for_messages_completes_when_the_count_is_reached()
    {
        await using var server = await ScriptedSmtpServer.StartAsync();
        using var client = await TestClients.ConnectAsync(server);
        var three = server.WaitForMessagesAsync(3, TestClients.Timeout());

        await client.SendAsync(TestClients.Message("one"));
        await client.SendAsync(TestClients.Message("two"));
        three.IsCompleted.Should().BeFalse();
        await client.SendAsync(TestClients.Message("three"));

        (await three).Select(m => m.Message.Subject).Should().Equal("one", "two", "three");
    }

    [Fact]
    public async Task Waiting_for_messages_already_received_completes_at_once()
    {
        await using var server = await ScriptedSmtpServer.StartAsync();
        using var client = await TestClients.ConnectAsync(server);
        await client.SendAsync(TestClients.Message());

        var waiting = server.WaitForMessagesAsync(1);

        waiting.IsCompletedSuccessfully.Should().BeTrue();
        (await waiting).Should().ContainSingle();
    }

    [Fact]
    public async Task Waiting_for_messages_can_be_canceled()
    {
        await using var server = await ScriptedSmtpServer.StartAsync();
        using var cancellation = new CancellationTokenSource();
        var waiting = server.WaitForMessagesAsync(1, cancellation.Token);

        await cancellation.CancelAsync();

        await waiting.Invoking(w => w).Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task Messages_sent_from_many_connections_at_once_are_all_recorded()
    {
        await using var server = await ScriptedSmtpServer.StartAsync();
        var all = server.WaitForMessagesAsync(40, TestClients.Timeout());

        await Task.WhenAll(Enumerable.Range(0, 4).Select(async connection =>
        {
            using var client = await TestClients.ConnectAsync(server);
            for (var i = 0; i < 10; i++)
            {
                await client.SendAsync(TestClients.Message($"{connection}-{i}"));
            }
        }));

        (await all).Select(m => m.Message.Subject).Should().OnlyHaveUniqueItems().And.HaveCount(40);
        server.ConnectionsOpened.Should().Be(4);
    }

    [Fact]
    public async Task Account_settings_point_at_the_server_and_trust_its_authority_only()
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new() { Security = ScriptedServerSecurity.ImplicitTls, UserName = "owner@paws.example", Password = "app-password" });

        var account = server.CreateAccountSettings("hello@paws.example", password: "wrong");

        account.Validate().Should().BeEmpty();
        (account.Host, account.Port, account.Security, account.UserName, account.Password, account.AllowAuthenticationWithoutTls)
            .Should().Be((server.Host, server.Port, SmtpSecurity.ImplicitTls, "owner@paws.example", "wrong", false));
        account.TrustedCertificateAuthorities.Should().ContainSingle().Which.Thumbprint.Should().Be(server.CertificateAuthority.Certificate.Thumbprint);
    }

    [Theory]
    [InlineData(ScriptedServerSecurity.None, SmtpSecurity.None)]
    [InlineData(ScriptedServerSecurity.StartTls, SmtpSecurity.StartTls)]
    [InlineData(ScriptedServerSecurity.StartTlsRequired, SmtpSecurity.StartTls)]
    [InlineData(ScriptedServerSecurity.ImplicitTls, SmtpSecurity.ImplicitTls)]
    public async Task Account_settings_use_the_servers_security_mode(ScriptedServerSecurity security, SmtpSecurity expected)
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new() { Security = security });

        var account = server.CreateAccountSettings();

        account.Security.Should().Be(expected);
        account.AllowAuthenticationWithoutTls.Should().Be(security == ScriptedServerSecurity.None);
    }

    [Fact]
    public async Task Stopping_the_server_closes_open_connections()
    {
        var server = await ScriptedSmtpServer.StartAsync();
        using var client = await TestClients.ConnectAsync(server);

        await server.DisposeAsync();

        var noop = () => client.NoOpAsync();
        await noop.Should().ThrowAsync<Exception>().Where(e => e is SmtpProtocolException || e is IOException);
    }

    [Fact]
    public async Task A_password_without_a_user_name_is_refused()
    {
        var start = () => ScriptedSmtpServer.StartAsync(new() { Password = "secret" });

        await start.Should().ThrowAsync<ArgumentException>().WithMessage("*UserName*");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Pipelining_is_advertised_only_when_asked(bool advertise)
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new() { AdvertisePipelining = advertise });
        using var client = await TestClients.ConnectAsync(server);

        client.Capabilities.HasFlag(SmtpCapabilities.Pipelining).Should().Be(advertise);
        client.Capabilities.HasFlag(SmtpCapabilities.EnhancedStatusCodes).Should().BeTrue();
    }

    private static byte[] WireBytes(MimeMessage message)
    {
        // What MailKit puts between DATA and the final dot: the message with CRLF line ends and Bcc hidden.
        var options = FormatOptions.Default.Clone();
        options.NewLineFormat = NewLineFormat.Dos;
        options.HiddenHeaders.Add(HeaderId.Bcc);
        using var stream = new MemoryBlockStream();
        message.WriteTo(options, stream);
        return stream.ToArray();
    }
}
