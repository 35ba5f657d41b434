using System.Text;
using Microsoft.Extensions.Options;
using MimeKit;
using PetSitter.Email.Testing;
using PetSitter.Email.Tests.EndToEnd;
using PetSitter.Email.Tests.Support;

namespace PetSitter.Email.Tests.Secrets;

/// <summary>
/// What the library hands back (outcomes, failures, exceptions, health, settings) never carries the
/// password, even when a server echoes it: checked on the types' ToString and messages, with the scan.
/// </summary>
public sealed class SecretOutputsTests
{
    private const string User = "owner@paws.example";
    private const string Password = TestSecrets.EchoedPassword;

    private static readonly string PlainPayload = Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{User}\0{Password}"));

    // By name only: theory arguments appear in test names and runner output, where even a test secret has no place.
    public static TheoryData<string> Echoes => new() { "the bare password", "the password in quotes", "the AUTH PLAIN payload", "the payload alone" };

    private static string Echo(string what) => what switch
    {
        "the bare password" => $"5.7.8 bad password {Password}",
        "the password in quotes" => $"5.7.8 Password '{Password}' not accepted for {User}",
        "the AUTH PLAIN payload" => $"5.5.2 Invalid AUTH PLAIN {PlainPayload}",
        _ => $"5.7.8 Cannot decode {PlainPayload}",
    };

    [Theory]
    [MemberData(nameof(Echoes))]
    public async Task A_server_that_echoes_the_credentials_leaves_no_trace_in_the_outcome(string what)
    {
        var echo = Echo(what);
        await using var server = await ScriptedSmtpServer.StartAsync(new() { UserName = User, Password = TestSecrets.RightPassword });
        server.Script = context => context.Stage == SmtpStage.Authenticate ? new SmtpReply(535, echo) : null;
        await using var host = new EndToEndHost();
        host.Settings.Set(EndToEndHost.Business("paws", server.CreateAccountSettings(User, password: Password)));

        var outcome = await host.SendAsync("paws", EmailCategory.Invoice, 1);

        outcome.FailureKind.Should().Be(SmtpFailureKind.AuthenticationFailed, what);
        var health = host.Health.GetHealth("paws");
        ShouldCarryNoSecret(outcome.ToString(), outcome.Reason, outcome.SmtpFailure!.ToString(), outcome.SmtpFailure.Reply, outcome.SmtpFailure.Advice, health.ToString(), health.LastReply);
    }

    [Theory]
    [MemberData(nameof(Echoes))]
    public async Task The_transport_exception_and_its_inner_exceptions_carry_no_echoed_secret(string what)
    {
        var echo = Echo(what);
        await using var server = await ScriptedSmtpServer.StartAsync(new() { UserName = User, Password = TestSecrets.RightPassword });
        server.Script = context => context.Stage == SmtpStage.Authenticate ? new SmtpReply(535, echo) : null;
        await using var transport = new MailKitSmtpTransport(Options.Create(new SmtpTransportOptions()), TimeProvider.System, TestLogging.For<MailKitSmtpTransport>());

        var failure = await FluentActions.Awaiting(() => transport.SendAsync(server.CreateAccountSettings(User, password: Password), TestData.Message(), CancellationToken.None))
            .Should().ThrowAsync<SmtpTransportException>();

        failure.Which.Stage.Should().Be(SmtpStage.Authenticate, what);
        failure.Which.StatusCode.Should().Be(535);
        ShouldCarryNoSecret(failure.Which.ToString(), failure.Which.Message, failure.Which.Reply);
        SmtpFailureClassifier.Classify(failure.Which, server.Host).Kind.Should().Be(SmtpFailureKind.AuthenticationFailed, "scrubbing keeps what classification reads");
    }

    [Fact]
    public async Task An_echoed_password_is_hidden_but_the_rest_of_the_reply_kept()
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new() { UserName = User, Password = TestSecrets.RightPassword });
        server.Script = context => context.Stage == SmtpStage.Authenticate ? new SmtpReply(535, $"5.7.8 bad password {Password}") : null;
        await using var transport = new MailKitSmtpTransport(Options.Create(new SmtpTransportOptions()), TimeProvider.System, TestLogging.For<MailKitSmtpTransport>());

        var failure = await FluentActions.Awaiting(() => transport.SendAsync(server.CreateAccountSettings(User, password: Password), TestData.Message(), CancellationToken.None))
            .Should().ThrowAsync<SmtpTransportException>();

        failure.Which.Reply.Should().Be("5.7.8 bad password ***");
        failure.Which.EnhancedStatusCode.Should().Be("5.7.8");
    }

    [Fact]
    public void Settings_their_validation_and_settings_errors_never_show_the_password()
    {
        var account = new SmtpAccountSettings { Host = "not a host!", Port = 0, UserName = User, Password = Password, FromAddress = "nope", MaxConnections = -1 };
        var business = TestData.Business(smtp: account);
        var errors = account.Validate("Smtp.");
        var settingsError = new EmailSettingsException("paws", $"The email settings of business 'paws' are invalid: {string.Join(" ", errors)}", errors);

        errors.Should().NotBeEmpty();
        ShouldCarryNoSecret([account.ToString(), business.ToString(), settingsError.ToString(), .. errors]);
        account.SettingsFingerprint().Should().NotContain(Password);
    }

    [Fact]
    public async Task The_test_servers_own_descriptions_never_show_the_password()
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new() { UserName = User, Password = Password });
        await using var host = new EndToEndHost();
        host.Settings.Set(EndToEndHost.Business("paws", server.CreateAccountSettings(User)));
        var contexts = new List<string>();
        server.Script = context =>
        {
            lock (contexts)
            {
                contexts.Add(context.ToString());
            }

            return null;
        };

        (await host.SendAsync("paws", EmailCategory.Invoice, 1)).IsSent.Should().BeTrue();

        ShouldCarryNoSecret([server.Options.ToString(), server.Messages.Single().ToString(), .. contexts]);
    }

    [Fact]
    public void An_outcome_of_each_status_shows_no_secret_a_failure_was_built_with()
    {
        var email = new OutgoingEmail("paws", EmailCategory.Quote, new MimeMessage { MessageId = "m1@paws.example" });
        var failure = SmtpFailureClassifier.Classify(new SmtpTransportException(SmtpStage.Authenticate, 535, $"5.7.8 AUTH PLAIN {PlainPayload}"), "smtp.gmail.com");
        var outcomes = new[]
        {
            SendOutcome.Sent(email, EmailChannel.Native, EmailChannel.Smtp, new DeliveryReceipt("native", "250 ok"), failure),
            SendOutcome.Deferred(email, EmailChannel.Smtp, DateTimeOffset.UnixEpoch, failure),
            SendOutcome.Failed(email, EmailChannel.Smtp, EmailChannel.Smtp, failure.Advice, failure),
            SendOutcome.Uncertain(email, EmailChannel.Smtp, EmailChannel.Smtp, failure),
        };

        ShouldCarryNoSecret([.. outcomes.Select(o => o.ToString()), .. outcomes.Select(o => o.Reason), failure.ToString(), failure.Reply]);
    }

    private static void ShouldCarryNoSecret(params string?[] texts)
    {
        foreach (var text in texts)
        {
            SecretScanner.Find(text).Should().BeEmpty("no password or token may appear in: {0}", SecretScanner.Find(text).Count == 0 ? text : "(withheld)");
        }
    }
}
