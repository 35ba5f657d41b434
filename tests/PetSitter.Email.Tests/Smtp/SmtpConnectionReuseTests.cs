using Microsoft.Extensions.Options;
using PetSitter.Email.Testing;
using PetSitter.Email.Tests.Support;

namespace PetSitter.Email.Tests.Smtp;

/// <summary>
/// A pooled connection carries state from send to send: one cancellation source reset per send and the stage
/// tracker's reused per-command records. A send that failed or was cancelled must leave none of it behind: the next
/// send on that connection (or on its replacement) goes out and any failure is pinned to its own stage.
/// </summary>
public sealed class SmtpConnectionReuseTests : IAsyncDisposable
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(20);

    // Gmail's replies (/work/shared/providers.md, "no such recipient" and "temporary"; https://support.google.com/a/answer/3726730).
    private static readonly SmtpReply NoSuchRecipient = new(550, "5.1.1 The email account that you tried to reach does not exist.");
    private static readonly SmtpReply TemporarilyRejected = new(451, "4.3.0 Mail server temporarily rejected message.");

    private readonly CancellationTokenSource _testTimeout = new(TestTimeout);
    private readonly List<IAsyncDisposable> _disposables = [];

    // The server sees DATA before the message it is for, so the test says which send it is making.
    private volatile string? _nextSubject;

    private CancellationToken Token => _testTimeout.Token;

    [Fact]
    public async Task Failures_on_a_reused_connection_are_each_pinned_to_their_own_stage_and_the_next_send_goes_out()
    {
        var server = await StartAsync();
        server.Script = context => context is { Stage: SmtpStage.RcptTo, Address: "gone@example.com" } ? NoSuchRecipient : null;
        var transport = Transport();
        var account = server.CreateAccountSettings();

        for (var i = 0; i < 3; i++)
        {
            await SendAsync(transport, account, $"before {i}");
        }

        var refusedRecipient = await Failing(transport, account, "to gone", to: "gone@example.com");
        await SendAsync(transport, account, "after the refusal");

        // The server keeps the message and drops the connection instead of answering: the outcome is unknown.
        server.Script = context => context is { Stage: SmtpStage.AfterData, Message.Message.Subject: "dropped after DATA" } ? SmtpReply.Disconnect : null;
        var dropped = await Failing(transport, account, "dropped after DATA");
        server.ConnectionsOpened.Should().Be(1, "every send so far, the refused one included, used the one connection");

        // On the replacement connection: a refusal of DATA, then a send that goes out.
        server.Script = context => context.Stage == SmtpStage.Data && _nextSubject is "refused at DATA" ? TemporarilyRejected : null;
        _nextSubject = "refused at DATA";
        var refusedData = await Failing(transport, account, "refused at DATA");
        _nextSubject = null;
        await SendAsync(transport, account, "after the DATA refusal");

        refusedRecipient.Stage.Should().Be(SmtpStage.RcptTo);
        refusedRecipient.StatusCode.Should().Be(550);
        dropped.Stage.Should().Be(SmtpStage.AfterData, "the whole message was written, on a connection that had a refusal and five sends before");
        refusedData.Stage.Should().Be(SmtpStage.Data);
        refusedData.StatusCode.Should().Be(451);
        server.Messages.Select(m => m.Message.Subject).Should().Equal("before 0", "before 1", "before 2", "after the refusal", "dropped after DATA", "after the DATA refusal");
    }

    [Fact]
    public async Task A_send_cancelled_while_its_DATA_command_waits_is_not_delivered_and_the_sends_after_it_go_out_with_their_own_stages()
    {
        var server = await StartAsync();
        using var arrived = new SemaphoreSlim(0);
        using var released = new ManualResetEventSlim();
        server.Script = context =>
        {
            if (context.Stage == SmtpStage.RcptTo && context.Address == "gone@example.com")
            {
                return NoSuchRecipient;
            }

            if (context.Stage == SmtpStage.Data && _nextSubject is "cancelled")
            {
                // Held before the 354: the client has not written a byte of the message yet.
                arrived.Release();
                released.Wait(TestTimeout);
            }

            return null;
        };
        var transport = Transport();
        var account = server.CreateAccountSettings();
        await SendAsync(transport, account, "first");

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Token);
        _nextSubject = "cancelled";
        var sending = transport.SendAsync(account, MailKitSmtpTransportTests.Simple("cancelled"), cancel.Token);
        await arrived.WaitAsync(Token);
        await cancel.CancelAsync();
        await FluentActions.Awaiting(() => sending).Should().ThrowAsync<OperationCanceledException>();
        _nextSubject = null;
        released.Set();

        // Each send with its own cancellable token, as the sender passes one: the connection's source is reset for each.
        await SendAsync(transport, account, "after the cancelled one");
        var refused = await Failing(transport, account, "to gone", to: "gone@example.com");
        await SendAsync(transport, account, "after the refusal");

        refused.Stage.Should().Be(SmtpStage.RcptTo);
        refused.StatusCode.Should().Be(550);
        server.ConnectionsOpened.Should().Be(2, "the cancelled connection was dropped and its replacement kept after the refusal");
        server.Messages.Select(m => m.Message.Subject).Should().Equal("first", "after the cancelled one", "after the refusal");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var disposable in Enumerable.Reverse(_disposables))
        {
            await disposable.DisposeAsync();
        }

        _testTimeout.Dispose();
    }

    private async Task SendAsync(MailKitSmtpTransport transport, SmtpAccountSettings account, string subject)
    {
        using var token = CancellationTokenSource.CreateLinkedTokenSource(Token);
        await transport.SendAsync(account, MailKitSmtpTransportTests.Simple(subject), token.Token);
    }

    private async Task<SmtpTransportException> Failing(MailKitSmtpTransport transport, SmtpAccountSettings account, string subject, string? to = null)
    {
        var message = MailKitSmtpTransportTests.Simple(subject);
        if (to is not null)
        {
            message.To.Clear();
            message.To.Add(MimeKit.MailboxAddress.Parse(to));
        }

        using var token = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var failure = await FluentActions.Awaiting(() => transport.SendAsync(account, message, token.Token))
            .Should().ThrowAsync<SmtpTransportException>();
        return failure.Which;
    }

    private async Task<ScriptedSmtpServer> StartAsync()
    {
        var server = await ScriptedSmtpServer.StartAsync(new() { Security = ScriptedServerSecurity.None }, Token);
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
