using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
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

    [Fact]
    public async Task The_test_clock_recipe_behaves_as_the_docs_say()
    {
        // docs/testing-server.md, "Testing with a fake clock": the block between the markers is the doc's snippet, verbatim.
        await using var server = await ScriptedSmtpServer.StartAsync();
        var gmailOverItsDay = false;

        // 550-5.4.5 Daily user sending limit exceeded (https://support.google.com/a/answer/166852), shared/providers.md.
        server.Script = context => context.Stage == SmtpStage.MailFrom && gmailOverItsDay ? ProviderReplies.Gmail.DailyLimitExceeded : null;
        var account = server.CreateAccountSettings("owner@paws.example");
        var settings = new OneBusiness(new BusinessEmailSettings
        {
            BusinessId = "paws",
            BusinessName = "Paws & Claws",
            ReplyToAddress = "office@paws.example",
            Smtp = new SmtpAccountSettings
            {
                Host = account.Host,
                Port = account.Port,
                Security = account.Security,
                FromAddress = account.FromAddress,
                TrustedCertificateAuthorities = account.TrustedCertificateAuthorities,
                Provider = "Gmail", // the preset: 2 messages a second, 500 a day
            },
        });

        // docs:test-clock-begin
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero));
        var native = new RecordingNativeMailer();
        var services = new ServiceCollection();
        services.AddSingleton<IBusinessEmailSettingsProvider>(settings); // your app's settings store
        services.AddSingleton<INativeMailer>(native);
        services.AddPetSitterEmail().UseTestClock(clock);
        await using var provider = services.BuildServiceProvider();
        var sender = provider.GetRequiredService<IEmailSender>();

        // No send sleeps on the clock: the third in one second is refused at once and says by which window.
        SendOutcome[] burst =
        [
            await sender.SendAsync(Email(EmailCategory.Invoice, 1)),
            await sender.SendAsync(Email(EmailCategory.Invoice, 2)),
            await sender.SendAsync(Email(EmailCategory.Invoice, 3)),
        ];
        Assert.Equal(EmailChannel.Native, burst[2].Channel);
        Assert.Equal(LimitWindow.MessagesPerSecond, burst[2].LimitWindow);

        // Move the clock between sends (never while one is at the server).
        clock.Advance(TimeSpan.FromSeconds(2));
        gmailOverItsDay = true;
        SendOutcome held = await sender.SendAsync(Email(EmailCategory.Marketing, 4));
        Assert.Equal(SendStatus.Deferred, held.Status);
        Assert.Equal(LimitWindow.MessagesPerDay, held.LimitWindow);

        // Deferred mail: move the clock to its due time and dispatch it yourself; no host, no poll interval.
        gmailOverItsDay = false;
        clock.Advance(held.DeferredUntil!.Value - clock.GetUtcNow());
        DeferredDispatchResult dispatched = await provider.GetRequiredService<IDeferredEmailDispatcher>().DispatchDueAsync();
        Assert.Equal(1, dispatched.Sent);
        // docs:test-clock-end

        server.Messages.Select(m => m.Message.Subject).Should().Equal("Invoice 1", "Invoice 2", "Marketing 4");
        native.Messages.Select(m => m.Subject).Should().Equal("Invoice 3");
    }

    [Fact]
    public void The_test_clock_recipe_in_the_docs_is_the_compiled_one()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "PetSitter.Email.sln")))
        {
            root = root.Parent ?? throw new InvalidOperationException("The repository root (PetSitter.Email.sln) was not found above the test binaries.");
        }

        var test = File.ReadAllLines(Path.Combine(root.FullName, "tests", "PetSitter.Email.Testing.Tests", "DocsExampleTests.cs"));
        var begin = Array.FindIndex(test, l => l.Trim() == "// docs:test-clock-begin");
        var end = Array.FindIndex(test, l => l.Trim() == "// docs:test-clock-end");
        var snippet = string.Join('\n', test[(begin + 1)..end].Select(l => l.Length >= 8 ? l[8..] : l.TrimStart()));
        var doc = File.ReadAllText(Path.Combine(root.FullName, "docs", "testing-server.md")).ReplaceLineEndings("\n");

        doc.Should().Contain("```csharp\n" + snippet + "\n```", "docs/testing-server.md shows the compiled recipe");
    }

    private static OutgoingEmail Email(EmailCategory category, int number)
    {
        var message = new MimeMessage { Subject = $"{category} {number}" };
        message.From.Add(new MailboxAddress("Paws & Claws", "owner@paws.example"));
        message.To.Add(new MailboxAddress("Client", "client@clients.example"));
        message.Body = new TextPart("plain") { Text = "See you on Saturday." };
        return new OutgoingEmail("paws", category, message);
    }

    private sealed class OneBusiness(BusinessEmailSettings business) : IBusinessEmailSettingsProvider
    {
        public ValueTask<BusinessEmailSettings?> GetSettingsAsync(string businessId, CancellationToken cancellationToken) =>
            ValueTask.FromResult(businessId == business.BusinessId ? business : null);
    }
}
