using PetSitter.Email.Testing;
using PetSitter.Email.Tests.EndToEnd;

namespace PetSitter.Email.Tests.Input;

/// <summary>
/// The caller cancels at each stage of a send. Up to the end of the message's data every stage answers
/// the same way: SendAsync throws OperationCanceledException (never an outcome), nothing falls back or is
/// deferred, the account's health is untouched and no quota is used by a message that was not sent. Once
/// the whole message is on the wire the server's verdict is awaited (bounded by SmtpTimeout) and reported. Before-send cancellation is
/// EmailSenderTests.A_cancelled_send_throws_and_reports_nothing; the settings lookup is in SettingsProviderInputTests.
/// </summary>
public sealed class CancellationStageTests
{
    [Fact]
    public async Task Cancelled_while_waiting_on_the_send_limit_throws_and_uses_no_quota()
    {
        await using var server = await ScriptedSmtpServer.StartAsync();
        await using var host = new EndToEndHost(builder => builder.ConfigureSendLimits(options => options.MaxThrottleWait = TimeSpan.FromMinutes(1)));
        var account = EndToEndHost.With(server.CreateAccountSettings("hello@paws.example"), limits: new SendLimits { MessagesPerSecond = 1 });
        host.Settings.Set(EndToEndHost.Business("paws", account));
        (await host.SendAsync("paws", EmailCategory.Marketing, 1)).IsSent.Should().BeTrue();
        using var cancel = new CancellationTokenSource();

        // The throttle waits on the library's clock, which this test never moves: the send stays in the wait.
        var waiting = host.Sender.SendAsync(new OutgoingEmail("paws", EmailCategory.Marketing, EndToEndHost.Message(2, EmailCategory.Marketing)), cancel.Token);
        waiting.IsCompleted.Should().BeFalse("the second's one message is used up and the wait is shorter than the allowed minute");
        await cancel.CancelAsync();

        await FluentActions.Awaiting(() => waiting).Should().ThrowAsync<OperationCanceledException>();
        (await host.Quotas.GetAsync(SmtpChannel.AccountKey(account)))!.MessagesLastSecond.Should().Be(1, "the cancelled send took no quota");
        await NothingElseHappenedAsync(host, server, sent: 1);
    }

    [Theory]
    [InlineData(SmtpStage.Greeting)]
    [InlineData(SmtpStage.MailFrom)]
    [InlineData(SmtpStage.Data)]
    public async Task Cancelled_during_the_conversation_throws_and_reports_nothing(SmtpStage stage)
    {
        await using var server = await ScriptedSmtpServer.StartAsync();
        using var release = new ManualResetEventSlim();
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.Script = context =>
        {
            if (context.Stage == stage)
            {
                reached.TrySetResult();
                release.Wait(TimeSpan.FromSeconds(30));
            }

            return null;
        };
        await using var host = new EndToEndHost();
        host.Settings.Set(EndToEndHost.Business("paws", server.CreateAccountSettings("hello@paws.example")));
        using var cancel = new CancellationTokenSource();

        try
        {
            var sending = host.Sender.SendAsync(new OutgoingEmail("paws", EmailCategory.Invoice, EndToEndHost.Message(1, EmailCategory.Invoice)), cancel.Token);
            await reached.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await cancel.CancelAsync();

            await FluentActions.Awaiting(() => sending).Should().ThrowAsync<OperationCanceledException>();
        }
        finally
        {
            release.Set();
        }

        await NothingElseHappenedAsync(host, server, sent: 0);
    }

    [Fact]
    public async Task Cancelled_after_the_whole_message_was_sent_waits_for_the_servers_verdict_and_reports_it()
    {
        await using var server = await ScriptedSmtpServer.StartAsync();
        using var release = new ManualResetEventSlim();
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.Script = context =>
        {
            if (context.Stage == SmtpStage.AfterData)
            {
                reached.TrySetResult();
                release.Wait(TimeSpan.FromSeconds(30));
            }

            return null;
        };
        await using var host = new EndToEndHost();
        host.Settings.Set(EndToEndHost.Business("paws", server.CreateAccountSettings("hello@paws.example")));
        using var cancel = new CancellationTokenSource();

        var sending = host.Sender.SendAsync(new OutgoingEmail("paws", EmailCategory.Invoice, EndToEndHost.Message(1, EmailCategory.Invoice)), cancel.Token);
        await reached.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await cancel.CancelAsync();
        release.Set();

        // The message is on the server: throwing now would tell the caller "not sent" about a delivered email.
        var outcome = await sending;
        outcome.IsSent.Should().BeTrue();
        outcome.IsFallback.Should().BeFalse();
        server.Messages.Should().ContainSingle();
        host.Native.SendAttempts.Should().Be(0);
    }

    private static async Task NothingElseHappenedAsync(EndToEndHost host, ScriptedSmtpServer server, int sent)
    {
        host.Native.SendAttempts.Should().Be(0, "a cancelled send does not fall back");
        (await host.Queue.CountAsync(CancellationToken.None)).Should().Be(0, "nor is it deferred");
        host.Health.GetHealth("paws").State.Should().Be(AccountHealthState.Healthy, "the caller's cancellation says nothing about the account");
        server.AuthenticationsFailed.Should().Be(0);
        if (sent > 0)
        {
            server.Messages.Should().HaveCount(sent);
        }
    }
}
