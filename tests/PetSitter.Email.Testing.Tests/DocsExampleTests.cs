using MailKit.Net.Smtp;
using MailKit.Security;
using PetSitter.Email.Testing.Tests.Support;

namespace PetSitter.Email.Testing.Tests;

/// <summary>The examples in docs/testing-server.md and the package readme, compiled and run so they cannot go stale.</summary>
public class DocsExampleTests
{
    [Fact]
    public async Task The_quota_example_behaves_as_the_docs_say()
    {
        // docs/testing-server.md, "Scripting": Gmail that takes two messages, then reports its daily limit.
        await using var server = await ScriptedSmtpServer.StartAsync(new()
        {
            Security = ScriptedServerSecurity.StartTlsRequired,
            UserName = "owner@paws.example",
            Password = "app-password",
        });
        server.Script = context => context.Stage == SmtpStage.MailFrom && context.MessagesReceived >= 2
            ? ProviderReplies.Gmail.DailyLimitExceeded
            : null;

        var account = server.CreateAccountSettings("owner@paws.example");

        // What the library does with `account`, done here with MailKit directly.
        using var client = new SmtpClient { ServerCertificateValidationCallback = TestClients.TrustOnly(account.TrustedCertificateAuthorities[0]), CheckCertificateRevocation = false };
        await client.ConnectAsync(account.Host, account.Port, SecureSocketOptions.StartTls);
        await client.AuthenticateAsync(account.UserName!, account.Password!);
        await client.SendAsync(TestClients.Message("one"));
        await client.SendAsync(TestClients.Message("two"));
        var third = () => client.SendAsync(TestClients.Message("three"));

        (await third.Should().ThrowAsync<SmtpCommandException>()).Which.StatusCode.Should().Be(SmtpStatusCode.MailboxUnavailable);
        (await server.WaitForMessagesAsync(2, TestClients.Timeout())).Should().HaveCount(2);
    }

    [Fact]
    public async Task The_delivery_uncertain_example_behaves_as_the_docs_say()
    {
        // docs/testing-server.md, "Scripting": the connection is lost after the end of DATA, before the reply.
        await using var server = await ScriptedSmtpServer.StartAsync();
        server.Script = context => context.Stage == SmtpStage.AfterData ? SmtpReply.Disconnect : null;

        using var client = await TestClients.ConnectAsync(server);
        var send = () => client.SendAsync(TestClients.Message());

        await send.Should().ThrowAsync<SmtpProtocolException>();
        server.Messages.Should().HaveCount(1, "the server has the message, the client cannot know it");
    }

    [Fact]
    public async Task The_package_readme_example_behaves_as_it_says()
    {
        // src/PetSitter.Email.Testing/PACKAGE.md: Microsoft 365 that takes two messages, then reports its quota after DATA.
        await using var server = await ScriptedSmtpServer.StartAsync(new()
        {
            Security = ScriptedServerSecurity.StartTls,
            UserName = "owner@paws.example",
            Password = "app-password",
        });
        server.Script = context => context.Stage == SmtpStage.AfterData && context.MessagesReceived >= 2
            ? ProviderReplies.Microsoft365.SubmissionQuotaExceeded
            : null;
        var account = server.CreateAccountSettings("owner@paws.example");

        using var client = new SmtpClient { ServerCertificateValidationCallback = TestClients.TrustOnly(account.TrustedCertificateAuthorities[0]), CheckCertificateRevocation = false };
        await client.ConnectAsync(account.Host, account.Port, SecureSocketOptions.StartTls);
        await client.AuthenticateAsync(account.UserName!, account.Password!);
        foreach (var subject in new[] { "one", "two", "three" })
        {
            try
            {
                await client.SendAsync(TestClients.Message(subject));
            }
            catch (SmtpCommandException refusal) when (refusal.ErrorCode == SmtpErrorCode.MessageNotAccepted)
            {
                subject.Should().Be("three");
            }
        }

        IReadOnlyList<ReceivedSmtpMessage> received = await server.WaitForMessagesAsync(2, TestClients.Timeout());
        received.Select(m => m.Message.Subject).Should().Equal("one", "two");
        server.Messages.Should().HaveCount(2);
    }
}
