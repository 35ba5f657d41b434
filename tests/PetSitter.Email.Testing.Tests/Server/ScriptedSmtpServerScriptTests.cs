using MailKit.Net.Smtp;
using MailKit.Security;
using PetSitter.Email.Testing.Tests.Support;

namespace PetSitter.Email.Testing.Tests.Server;

public class ScriptedSmtpServerScriptTests
{
    [Fact]
    public async Task Gmails_bad_password_reply_reaches_MailKit_word_for_word()
    {
        await using var server = await ScriptedSmtpServer.StartAsync();
        server.Script = context => context.Stage == SmtpStage.Authenticate ? ProviderReplies.Gmail.BadCredentials : null;
        using var client = await TestClients.ConnectAsync(server);

        var signIn = () => client.AuthenticateAsync("owner@gmail.example", "password");

        var failure = (await signIn.Should().ThrowAsync<AuthenticationException>()).Which;
        failure.Message.Should().Be("535: " + ProviderReplies.Gmail.BadCredentials.Text);
        failure.InnerException.Should().BeOfType<SmtpCommandException>()
            .Which.Should().Match<SmtpCommandException>(e => e.StatusCode == SmtpStatusCode.AuthenticationInvalidCredentials
                && e.Message == "5.7.8 Username and Password not accepted. Learn more at\n5.7.8 https://support.google.com/mail/?p=BadCredentials - gsmtp");
    }

    public static TheoryData<string> MicrosoftSignInRefusals() =>
    [
        nameof(ProviderReplies.Microsoft365.AuthenticationUnsuccessful),
        nameof(ProviderReplies.Microsoft365.CredentialsIncorrect),
        nameof(ProviderReplies.Microsoft365.SmtpClientAuthenticationDisabled),
    ];

    [Theory]
    [MemberData(nameof(MicrosoftSignInRefusals))]
    public async Task Microsoft_365_sign_in_refusals_reach_MailKit_with_their_text(string name)
    {
        var reply = (SmtpReply)typeof(ProviderReplies.Microsoft365).GetProperty(name)!.GetValue(null)!;
        await using var server = await ScriptedSmtpServer.StartAsync();
        server.Script = context => context.Stage == SmtpStage.Authenticate ? reply : null;
        using var client = await TestClients.ConnectAsync(server);
        client.AuthenticationMechanisms.Remove("LOGIN");

        var signIn = () => client.AuthenticateAsync("owner@contoso.example", "password");

        (await signIn.Should().ThrowAsync<AuthenticationException>()).Which.Message.Should().Be($"535: {reply.Text}");
        server.AuthenticationsFailed.Should().Be(1);
    }

    [Fact]
    public async Task A_script_can_accept_a_sign_in_the_credentials_would_refuse()
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new() { UserName = "owner@paws.example", Password = "app-password" });
        server.Script = context => context.Stage == SmtpStage.Authenticate && context.UserName == "owner@paws.example" ? new SmtpReply(235, "2.7.0 Accepted") : null;
        using var client = await TestClients.ConnectAsync(server);

        await client.AuthenticateAsync("owner@paws.example", "not-the-password");

        client.IsAuthenticated.Should().BeTrue();
        server.AuthenticationsSucceeded.Should().Be(1);
    }

    [Fact]
    public async Task A_421_greeting_refuses_the_connection_and_closes_it()
    {
        await using var server = await ScriptedSmtpServer.StartAsync();
        server.Script = context => context.Stage == SmtpStage.Greeting ? ProviderReplies.Gmail.TryAgainLater : null;
        using var client = TestClients.Create();

        var connect = () => client.ConnectAsync(server.Host, server.Port, SecureSocketOptions.None);

        var refusal = (await connect.Should().ThrowAsync<SmtpCommandException>()).Which;
        (refusal.StatusCode, refusal.Message).Should().Be((SmtpStatusCode.ServiceNotAvailable, "4.7.0 Try again later, closing connection."));
        server.ConnectionsOpened.Should().Be(1);
    }

    [Fact]
    public async Task A_421_greeting_is_followed_by_the_server_closing_the_connection()
    {
        await using var server = await ScriptedSmtpServer.StartAsync();
        server.Script = context => context.Stage == SmtpStage.Greeting ? ProviderReplies.Gmail.TryAgainLater : null;
        await using var raw = await RawSmtpConnection.ConnectAsync(server);

        (await raw.ReadReplyAsync()).Should().Be("421 4.7.0 Try again later, closing connection.\r\n");
        var next = () => raw.ReadReplyAsync();

        await next.Should().ThrowAsync<EndOfStreamException>();
    }

    [Fact]
    public async Task Dropping_the_connection_at_the_greeting_looks_like_a_lost_connection()
    {
        await using var server = await ScriptedSmtpServer.StartAsync();
        server.Script = context => context.Stage == SmtpStage.Greeting ? SmtpReply.Disconnect : null;
        using var client = TestClients.Create();

        var connect = () => client.ConnectAsync(server.Host, server.Port, SecureSocketOptions.None);

        await connect.Should().ThrowAsync<SmtpProtocolException>();
    }

    [Fact]
    public async Task Dropping_after_the_end_of_DATA_leaves_the_client_uncertain_while_the_server_has_the_message()
    {
        await using var server = await ScriptedSmtpServer.StartAsync();
        server.Script = context => context.Stage == SmtpStage.AfterData ? SmtpReply.Disconnect : null;
        using var client = await TestClients.ConnectAsync(server);
        var message = TestClients.Message();

        var send = () => client.SendAsync(message);

        await send.Should().ThrowAsync<SmtpProtocolException>().WithMessage("*unexpectedly disconnected*");
        server.Messages.Should().ContainSingle().Which.Message.MessageId.Should().Be(message.MessageId);
    }

    [Fact]
    public async Task Dropping_at_the_DATA_command_loses_the_message()
    {
        await using var server = await ScriptedSmtpServer.StartAsync();
        server.Script = context => context.Stage == SmtpStage.Data ? SmtpReply.Disconnect : null;
        using var client = await TestClients.ConnectAsync(server);

        var send = () => client.SendAsync(TestClients.Message());

        await send.Should().ThrowAsync<SmtpProtocolException>();
        server.Messages.Should().BeEmpty();
    }

    [Fact]
    public async Task A_refusal_at_the_DATA_command_reaches_MailKit()
    {
        await using var server = await ScriptedSmtpServer.StartAsync();
        server.Script = context => context.Stage == SmtpStage.Data ? SmtpReply.Parse("554 5.5.1 Error: no valid recipients") : null;
        using var client = await TestClients.ConnectAsync(server);

        var send = () => client.SendAsync(TestClients.Message());

        (await send.Should().ThrowAsync<SmtpCommandException>()).Which.Message.Should().Be("5.5.1 Error: no valid recipients");
        server.Messages.Should().BeEmpty();
    }

    [Fact]
    public async Task Gmails_daily_limit_starts_after_the_scripted_number_of_messages()
    {
        await using var server = await ScriptedSmtpServer.StartAsync();
        server.Script = context => context.Stage == SmtpStage.MailFrom && context.MessagesReceived >= 2 ? ProviderReplies.Gmail.DailyLimitExceeded : null;
        using var client = await TestClients.ConnectAsync(server);
        await client.SendAsync(TestClients.Message("one"));
        await client.SendAsync(TestClients.Message("two"));

        var third = () => client.SendAsync(TestClients.Message("three"));

        var refusal = (await third.Should().ThrowAsync<SmtpCommandException>()).Which;
        (refusal.ErrorCode, (int)refusal.StatusCode).Should().Be((SmtpErrorCode.SenderNotAccepted, 550));
        refusal.Message.Should().Be(ProviderReplies.Gmail.DailyLimitExceeded.Text);
        server.Messages.Select(m => m.Message.Subject).Should().Equal("one", "two");
    }

    [Fact]
    public async Task Microsofts_quota_reply_after_DATA_refuses_the_message_and_keeps_the_connection()
    {
        await using var server = await ScriptedSmtpServer.StartAsync();
        using var client = await TestClients.ConnectAsync(server);
        await client.SendAsync(TestClients.Message("accepted"));
        server.Script = context => context.Stage == SmtpStage.AfterData ? ProviderReplies.Microsoft365.SubmissionQuotaExceeded : null;

        var refused = () => client.SendAsync(TestClients.Message("refused"));

        var refusal = (await refused.Should().ThrowAsync<SmtpCommandException>()).Which;
        (refusal.ErrorCode, (int)refusal.StatusCode, refusal.Message)
            .Should().Be((SmtpErrorCode.MessageNotAccepted, 554, "5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException"));
        client.IsConnected.Should().BeTrue();
        server.Script = null;
        await client.SendAsync(TestClients.Message("accepted again"));
        server.Messages.Select(m => m.Message.Subject).Should().Equal("accepted", "accepted again");
    }

    [Fact]
    public async Task A_too_large_reply_at_the_end_of_DATA_refuses_the_message()
    {
        await using var server = await ScriptedSmtpServer.StartAsync();
        server.Script = context => context.Stage == SmtpStage.AfterData && context.Message!.Data.Length > 100
            ? SmtpReply.Parse("552 5.3.4 Message size exceeds fixed maximum message size")
            : null;
        using var client = await TestClients.ConnectAsync(server);

        var send = () => client.SendAsync(TestClients.Message());

        (await send.Should().ThrowAsync<SmtpCommandException>()).Which.StatusCode.Should().Be(SmtpStatusCode.ExceededStorageAllocation);
        server.Messages.Should().BeEmpty();
    }

    [Fact]
    public async Task Recipients_can_be_refused_one_by_one()
    {
        await using var server = await ScriptedSmtpServer.StartAsync();
        server.Script = context => context.Stage == SmtpStage.RcptTo && context.Address == "third@example.test" ? ProviderReplies.Gmail.TooManyRecipients : null;
        using var client = await TestClients.ConnectAsync(server);

        var send = () => client.SendAsync(TestClients.Message("three recipients", "first@example.test", "second@example.test", "third@example.test"));

        var refusal = (await send.Should().ThrowAsync<SmtpCommandException>()).Which;
        (refusal.ErrorCode, refusal.Mailbox?.Address).Should().Be((SmtpErrorCode.RecipientNotAccepted, "third@example.test"));
        refusal.Message.Should().Be(ProviderReplies.Gmail.TooManyRecipients.Text);
    }

    [Fact]
    public async Task A_command_after_a_refused_sender_gets_a_bad_sequence_reply()
    {
        await using var server = await ScriptedSmtpServer.StartAsync();
        server.Script = context => context.Stage == SmtpStage.MailFrom ? ProviderReplies.Microsoft365.ClientNotAuthenticated : null;
        await using var raw = await RawSmtpConnection.ConnectAsync(server);
        await raw.ReadReplyAsync();
        await raw.SendAsync("EHLO test");

        (await raw.SendAsync("MAIL FROM:<hello@paws.example>")).Should().Be("530 5.7.57 Client not authenticated to send mail\r\n");
        (await raw.SendAsync("RCPT TO:<client@example.test>")).Should().Be("503 5.5.1 Bad sequence of commands\r\n");
    }

    [Fact]
    public async Task Multi_line_replies_go_on_the_wire_with_continuation_lines()
    {
        await using var server = await ScriptedSmtpServer.StartAsync();
        server.Script = context => context.Stage == SmtpStage.Authenticate ? ProviderReplies.Gmail.BadCredentials : null;
        await using var raw = await RawSmtpConnection.ConnectAsync(server);
        await raw.ReadReplyAsync();
        await raw.SendAsync("EHLO test");

        var reply = await raw.SendAsync("AUTH PLAIN " + Convert.ToBase64String("\0owner\0password"u8));

        reply.Should().Be(
            "535-5.7.8 Username and Password not accepted. Learn more at\r\n" +
            "535 5.7.8 https://support.google.com/mail/?p=BadCredentials - gsmtp\r\n");
    }

    [Fact]
    public async Task The_script_is_asked_at_every_stage_in_order_with_what_the_client_sent()
    {
        await using var server = await ScriptedSmtpServer.StartAsync();
        var seen = new List<string>();
        server.Script = context =>
        {
            lock (seen)
            {
                seen.Add($"{context.Stage} #{context.ConnectionId} user={context.UserName} address={context.Address} messages={context.MessagesReceived} has-message={context.Message is not null}");
            }

            return null;
        };
        using var client = await TestClients.ConnectAsync(server);
        client.AuthenticationMechanisms.Remove("LOGIN");
        await client.AuthenticateAsync("owner@paws.example", "app-password");

        await client.SendAsync(TestClients.Message());

        seen.Should().Equal(
            "Greeting #1 user= address= messages=0 has-message=False",
            "Ehlo #1 user= address= messages=0 has-message=False",
            "Authenticate #1 user=owner@paws.example address= messages=0 has-message=False",
            "MailFrom #1 user=owner@paws.example address=hello@paws.example messages=0 has-message=False",
            "RcptTo #1 user=owner@paws.example address=client@example.test messages=0 has-message=False",
            "Data #1 user=owner@paws.example address= messages=0 has-message=False",
            "AfterData #1 user=owner@paws.example address= messages=0 has-message=True");
    }

    [Fact]
    public async Task A_script_that_throws_is_answered_451_naming_the_exception()
    {
        await using var server = await ScriptedSmtpServer.StartAsync();
        server.Script = context => context.Stage == SmtpStage.MailFrom ? throw new InvalidOperationException("no quota\nleft") : null;
        using var client = await TestClients.ConnectAsync(server);

        var send = () => client.SendAsync(TestClients.Message());

        var refusal = (await send.Should().ThrowAsync<SmtpCommandException>()).Which;
        (refusal.StatusCode, refusal.Message)
            .Should().Be((SmtpStatusCode.ErrorInProcessing, "4.3.0 The test script threw at MailFrom: InvalidOperationException: no quota left"));
    }

    [Fact]
    public async Task Dropping_the_connection_at_EHLO_looks_like_a_lost_connection()
    {
        await using var server = await ScriptedSmtpServer.StartAsync();
        server.Script = context => context.Stage == SmtpStage.Ehlo ? SmtpReply.Disconnect : null;
        using var client = TestClients.Create();

        var connect = () => client.ConnectAsync(server.Host, server.Port, SecureSocketOptions.None);

        await connect.Should().ThrowAsync<SmtpProtocolException>();
    }

    [Fact]
    public async Task A_script_answers_only_the_connections_it_chooses()
    {
        await using var server = await ScriptedSmtpServer.StartAsync();
        server.Script = context => context.Stage == SmtpStage.Greeting && context.ConnectionId > 3 ? ProviderReplies.Microsoft365.ConcurrentConnectionsLimitExceeded : null;
        var allowed = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => TestClients.ConnectAsync(server)));
        using var fourth = TestClients.Create();

        var connect = () => fourth.ConnectAsync(server.Host, server.Port, SecureSocketOptions.None);

        (await connect.Should().ThrowAsync<SmtpCommandException>()).Which.StatusCode.Should().Be(SmtpStatusCode.PasswordTransitionNeeded);
        allowed.Should().OnlyContain(c => c.IsConnected);
        foreach (var client in allowed)
        {
            client.Dispose();
        }
    }
}
