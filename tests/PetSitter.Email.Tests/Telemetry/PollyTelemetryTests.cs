using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using PetSitter.Email.Testing;
using PetSitter.Email.Tests.EndToEnd;
using PetSitter.Email.Tests.Secrets;

namespace PetSitter.Email.Tests.Telemetry;

public sealed class PollyTelemetryTests
{
    private const string Mailbox = "hello@paws.test";
    private const string Password = TestSecrets.TelemetryPassword;

    private static readonly SmtpReply Busy = new(421, "4.3.0 Temporary System Problem. Try again later");

    private readonly FakeLogCollector _logs = new();

    [Fact]
    public async Task A_retry_is_logged_as_a_warning_by_polly_with_the_servers_reply()
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new());
        var failuresLeft = 1;
        server.Script = context => context.Stage == SmtpStage.MailFrom && Interlocked.Decrement(ref failuresLeft) >= 0 ? Busy : null;
        await using var host = new EndToEndHost(CaptureLogs);
        host.Settings.Set(EndToEndHost.Business("paws", server.CreateAccountSettings(Mailbox, Mailbox, Password)));
        using var pollyEvents = new MetricCollector<int>(null, "Polly", "resilience.polly.strategy.events");

        (await host.SendAsync("paws", EmailCategory.Invoice, 1)).Status.Should().Be(SendStatus.Sent);

        var retry = PollyRecords().Should().ContainSingle(r => r.Message.Contains("OnRetry", StringComparison.Ordinal)).Subject;
        retry.Level.Should().Be(LogLevel.Warning);
        retry.Message.Should().Contain("PetSitter.Email.Smtp").And.Contain("4.3.0 Temporary System Problem");
        pollyEvents.GetMeasurementSnapshot().Should().Contain(m => Equals(m.Tags["event.name"], "OnRetry") && Equals(m.Tags["pipeline.name"], "PetSitter.Email.Smtp"));
    }

    [Fact]
    public async Task A_send_that_succeeds_at_once_never_meets_polly()
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new());
        await using var host = new EndToEndHost(CaptureLogs);
        host.Settings.Set(EndToEndHost.Business("paws", server.CreateAccountSettings(Mailbox, Mailbox, Password)));

        (await host.SendAsync("paws", EmailCategory.Invoice, 1)).Status.Should().Be(SendStatus.Sent);

        // This host's logs, not Polly's meter: a meter listener hears the pipelines of tests running beside this one.
        PollyRecords().Should().BeEmpty("the first attempt runs without the retry pipeline, which takes over only to retry");
    }

    [Fact]
    public async Task A_successful_retry_is_logged_at_debug_with_the_receipts_location_not_the_servers_reply()
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new());
        var failuresLeft = 1;
        server.Script = context => context.Stage == SmtpStage.MailFrom && Interlocked.Decrement(ref failuresLeft) >= 0 ? Busy : null;
        await using var host = new EndToEndHost(CaptureLogs);
        host.Settings.Set(EndToEndHost.Business("paws", server.CreateAccountSettings(Mailbox, Mailbox, Password)));

        (await host.SendAsync("paws", EmailCategory.Invoice, 1)).Status.Should().Be(SendStatus.Sent);

        var attempts = PollyRecords().Where(r => r.Message.StartsWith("Execution attempt", StringComparison.Ordinal)).ToList();
        attempts.Should().HaveCount(2, "the first attempt's failure is replayed to Polly as its own first attempt, then the retry succeeds");
        attempts[0].Level.Should().Be(LogLevel.Warning, "Polly's own severity for a failed attempt it handles");
        attempts[0].Message.Should().Contain("4.3.0 Temporary System Problem");
        attempts[1].Level.Should().Be(LogLevel.Debug, "a successful attempt is not news: once per email at Information would drown the log");
        attempts[1].Message.Should().Contain($"{server.Host}:{server.Port}").And.NotContain("250", "the receipt is logged as its location, not the server's reply");
        PollyRecords().Should().ContainSingle(r => r.Message.Contains("OnRetry", StringComparison.Ordinal));
        PollyRecords().Should().ContainSingle(r => r.Message.StartsWith("Resilience pipeline executed", StringComparison.Ordinal), "one pipeline run: the retry");
    }

    [Fact]
    public async Task Pollys_logs_never_contain_the_password_nor_its_sign_in_encodings()
    {
        // A server that echoes the client's AUTH line back in its refusal: the worst a server can do.
        await using var server = await ScriptedSmtpServer.StartAsync(new() { UserName = Mailbox, Password = TestSecrets.SecondPassword });
        var plain = Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{Mailbox}\0{Password}"));
        var transientLeft = 1;
        server.Script = context => context.Stage switch
        {
            SmtpStage.Greeting when Interlocked.Decrement(ref transientLeft) >= 0 => new SmtpReply(421, "4.3.2 Busy, try later"),
            SmtpStage.Authenticate => new SmtpReply(535, $"5.7.8 Username and Password not accepted: AUTH PLAIN {plain}"),
            _ => null,
        };
        await using var host = new EndToEndHost(CaptureLogs);
        host.Settings.Set(EndToEndHost.Business("paws", server.CreateAccountSettings(Mailbox, Mailbox, Password)));

        await host.SendAsync("paws", EmailCategory.Invoice, 1);

        var records = PollyRecords();
        records.Should().NotBeEmpty();
        foreach (var record in records)
        {
            var everything = $"{record.Message} {record.Exception}";
            everything.Should().NotContain(Password).And.NotContain(plain);
        }
    }

    private IReadOnlyList<FakeLogRecord> PollyRecords() =>
        [.. _logs.GetSnapshot().Where(r => r.Category == "Polly")];

    private void CaptureLogs(IPetSitterEmailBuilder builder)
    {
        builder.Services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(new LoggerFactory([new FakeLoggerProvider(_logs)], new LoggerFilterOptions { MinLevel = LogLevel.Trace })));
        builder.Services.Configure<PetSitterEmailOptions>(options => options.Retry.MaxRetryAttempts = 2);
    }
}
