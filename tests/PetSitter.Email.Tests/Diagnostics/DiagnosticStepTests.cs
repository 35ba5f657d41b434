using System.Net;
using Microsoft.Extensions.Time.Testing;
using PetSitter.Email.Testing;
using PetSitter.Email.Tests.Support;

namespace PetSitter.Email.Tests.Diagnostics;

/// <summary>
/// The diagnosis's steps one at a time, against a real SMTP server on loopback: each keeps its own
/// timeout on the injected clock and stops where the conversation cannot go on.
/// </summary>
public sealed class DiagnosticStepTests : IAsyncDisposable
{
    private const string Owner = "owner@paws.example";
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 14, 2, 0, TimeSpan.Zero);
    private static readonly DiagnosticOptions Options = new() { StepTimeout = TimeSpan.FromMinutes(1) };

    private readonly CancellationTokenSource _testTimeout = new(TimeSpan.FromSeconds(20));
    private readonly List<IAsyncDisposable> _servers = [];
    private readonly FakeTimeProvider _time = new(Now);

    private CancellationToken Token => _testTimeout.Token;

    [Fact]
    public async Task Connect_step_ends_a_name_lookup_that_hangs_at_its_timeout_on_the_injected_clock()
    {
        var context = Context(new SmtpAccountSettings { Host = "smtp.paws.example", Port = 587, Security = SmtpSecurity.StartTls, FromAddress = Owner });
        var lookingUp = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<IPAddress[]> Hang(string host, CancellationToken cancellationToken)
        {
            var never = new TaskCompletionSource<IPAddress[]>(TaskCreationOptions.RunContinuationsAsynchronously);
            cancellationToken.Register(() => never.TrySetCanceled(cancellationToken));
            lookingUp.TrySetResult();
            return never.Task;
        }

        var connecting = new ConnectStep(context, _time, Hang).RunAsync(Token);
        await lookingUp.Task.WaitAsync(Token);
        _time.Advance(Options.StepTimeout);

        (await connecting).Should().BeNull();
        context.NotCheckedBecause.Should().Be("the server name was not found");
        context.Steps.Should().ContainSingle().Which.Should().StartWith("Resolve smtp.paws.example: failed: No answer within 60 s.");
    }

    [Fact]
    public async Task Connect_step_hands_over_an_open_session_with_the_servers_capabilities()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTlsRequired });
        var context = Context(server.CreateAccountSettings(Owner));

        await using var session = await new ConnectStep(context, _time, ResolveTo(server)).RunAsync(Token);

        session.Should().NotBeNull();
        session!.Client.IsConnected.Should().BeTrue();
        session.Client.IsSecure.Should().BeTrue("the account asks for STARTTLS");
        context.Steps.Should().Contain(s => s.StartsWith("Capabilities: ", StringComparison.Ordinal) && s.Contains("AUTH LOGIN PLAIN", StringComparison.Ordinal));
        context.Findings.StatusOf(DiagnosticCheck.Settings).Should().Be(DiagnosticStatus.Pass);
    }

    [Fact]
    public async Task Sign_in_step_sends_no_password_over_plain_text_and_suggests_the_starttls_the_server_offers()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTls });
        var authenticateSeen = 0;
        server.Script = c =>
        {
            if (c.Stage == SmtpStage.Authenticate)
            {
                Interlocked.Increment(ref authenticateSeen);
            }

            return null;
        };
        var context = Context(WithSecurity(server.CreateAccountSettings(Owner, Owner, "app-password"), SmtpSecurity.None));
        await using var session = await new ConnectStep(context, _time, ResolveTo(server)).RunAsync(Token);

        var goOn = await new SignInStep(context, _time).RunAsync(session!, Token);

        goOn.Should().BeFalse();
        Volatile.Read(ref authenticateSeen).Should().Be(0);
        context.SuggestedSecurity.Should().Be(SmtpSecurity.StartTls);
        context.NotCheckedBecause.Should().Be("the password was not sent over an unencrypted connection");
        context.Findings.StatusOf(DiagnosticCheck.Settings).Should().Be(DiagnosticStatus.Fail);
    }

    [Fact]
    public async Task Sender_step_ends_a_mail_from_the_server_never_answers_at_its_timeout_on_the_injected_clock()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTls });
        var mailFrom = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.Script = c =>
        {
            if (c.Stage != SmtpStage.MailFrom)
            {
                return null;
            }

            mailFrom.TrySetResult();
            return SmtpReply.Silence;
        };
        var context = Context(server.CreateAccountSettings(Owner));
        await using var session = await new ConnectStep(context, _time, ResolveTo(server)).RunAsync(Token);

        var checking = new SenderStep(context, _time).CheckFromAsync(session!, Token);
        await mailFrom.Task.WaitAsync(Token);
        _time.Advance(Options.StepTimeout);

        (await checking).Should().BeFalse();
        context.SenderChecked.Should().BeFalse();
        context.NotCheckedBecause.Should().Be("the connection was lost");
        context.Steps[^1].Should().StartWith($"MAIL FROM:<{Owner}>: failed: ");
        context.Findings.StatusOf(DiagnosticCheck.AccountWorking).Should().Be(DiagnosticStatus.Fail);
    }

    [Fact]
    public async Task Sender_step_ends_the_transaction_with_RSET_so_nothing_is_sent()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTls });
        var context = Context(server.CreateAccountSettings(Owner));
        await using var session = await new ConnectStep(context, _time, ResolveTo(server)).RunAsync(Token);
        var sender = new SenderStep(context, _time);

        (await sender.CheckFromAsync(session!, Token)).Should().BeTrue();
        await sender.SendTestMessageAsync(session!, Token);

        context.SenderChecked.Should().BeTrue();
        context.Steps[^1].Should().Contain("RSET: 250");
        server.Messages.Should().BeEmpty("no test recipient was asked for");
        context.Findings.StatusOf(DiagnosticCheck.SpamReputation).Should().Be(DiagnosticStatus.NotChecked);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }

        _testTimeout.Dispose();
    }

    private static DiagnosticContext Context(SmtpAccountSettings account) =>
        new(account, Options, TestLogging.For<SmtpDiagnostics>());

    private static Func<string, CancellationToken, Task<IPAddress[]>> ResolveTo(ScriptedSmtpServer server) =>
        (_, _) => Task.FromResult(new[] { IPAddress.Parse(server.Host) });

    private static SmtpAccountSettings WithSecurity(SmtpAccountSettings account, SmtpSecurity security) => new()
    {
        Host = account.Host, Port = account.Port, Security = security, UserName = account.UserName, Password = account.Password,
        FromAddress = account.FromAddress, TrustedCertificateAuthorities = account.TrustedCertificateAuthorities,
    };

    private async Task<ScriptedSmtpServer> StartAsync(ScriptedSmtpServerOptions options)
    {
        var server = await ScriptedSmtpServer.StartAsync(options, Token);
        _servers.Add(server);
        return server;
    }
}
