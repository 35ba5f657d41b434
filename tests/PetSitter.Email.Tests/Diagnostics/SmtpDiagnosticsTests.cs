using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using PetSitter.Email.Testing;
using PetSitter.Email.Tests.Support;

namespace PetSitter.Email.Tests.Diagnostics;

/// <summary>The diagnosis against a real SMTP server on loopback, scripted to fail like real providers.</summary>
public sealed class SmtpDiagnosticsTests : IAsyncDisposable
{
    private const string Owner = "owner@paws.example";
    private const string Password = "app-password";
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 14, 2, 0, TimeSpan.Zero);

    private readonly CancellationTokenSource _testTimeout = new(TimeSpan.FromSeconds(20));
    private readonly List<IAsyncDisposable> _servers = [];

    private CancellationToken Token => _testTimeout.Token;

    [Fact]
    public async Task A_healthy_account_passes_every_question_and_nothing_is_sent()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTlsRequired, UserName = Owner, Password = Password });
        var senders = new ConcurrentQueue<string>();
        var recipients = new ConcurrentQueue<string>();
        server.Script = context =>
        {
            if (context.Stage == SmtpStage.MailFrom)
            {
                senders.Enqueue(context.Address!);
            }
            else if (context.Stage == SmtpStage.RcptTo)
            {
                recipients.Enqueue(context.Address!);
            }

            return null;
        };

        var report = await DiagnoseAsync(server.CreateAccountSettings(Owner));

        report.IsHealthy.Should().BeTrue(string.Join("\n", report.Findings));
        report.Security.Should().Be(SmtpSecurity.StartTls);
        report.SuggestedSecurity.Should().BeNull();
        foreach (var check in new[] { DiagnosticCheck.AccountWorking, DiagnosticCheck.SendLimits, DiagnosticCheck.Password, DiagnosticCheck.Settings, DiagnosticCheck.ProviderRequirements })
        {
            report[check].Status.Should().Be(DiagnosticStatus.Pass, report[check].ToString());
            report[check].FailureKind.Should().BeNull();
        }

        report[DiagnosticCheck.AccountWorking].Reply.Should().StartWith("220 ");
        report[DiagnosticCheck.Password].Summary.Should().Contain("AUTH PLAIN");
        report[DiagnosticCheck.Password].Reply.Should().StartWith("235");
        report[DiagnosticCheck.Settings].Summary.Should().Contain("STARTTLS").And.Contain("TLS 1.").And.Contain(Owner);
        report[DiagnosticCheck.ProviderRequirements].Summary.Should().Contain("PLAIN").And.Contain("LOGIN");
        report[DiagnosticCheck.SpamReputation].Status.Should().Be(DiagnosticStatus.NotChecked);
        report[DiagnosticCheck.SpamReputation].Advice.Should().Contain("safe sender");
        report.Findings.Select(f => f.Check).Should().Equal(Enum.GetValues<DiagnosticCheck>());
        report.Steps.Should().Contain(s => s.StartsWith("MAIL FROM:<owner@paws.example>: 250", StringComparison.Ordinal)
            && s.Contains("RCPT TO:<owner@paws.example>: 250", StringComparison.Ordinal) && s.Contains("RSET: 250", StringComparison.Ordinal));

        senders.Should().Equal(Owner);
        recipients.Should().Equal([Owner], "the sender check names only the From address itself, and RSET ends the transaction before DATA");
        server.Messages.Should().BeEmpty();
        server.AuthenticationsSucceeded.Should().Be(1);
    }

    [Fact]
    public async Task A_wrong_password_fails_the_password_question_after_one_sign_in_attempt()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTls });
        server.Script = context => context.Stage == SmtpStage.Authenticate ? ProviderReplies.Gmail.BadCredentials : null;

        var report = await DiagnoseAsync(server.CreateAccountSettings(Owner, Owner, "old-password"));

        report.IsHealthy.Should().BeFalse();
        var password = report[DiagnosticCheck.Password];
        password.Status.Should().Be(DiagnosticStatus.Fail);
        password.FailureKind.Should().Be(SmtpFailureKind.AuthenticationFailed);
        password.Reply.Should().StartWith("535").And.Contain("5.7.8");
        password.Advice.Should().Contain("app password");
        report[DiagnosticCheck.AccountWorking].Status.Should().Be(DiagnosticStatus.Pass);
        report[DiagnosticCheck.SendLimits].Status.Should().Be(DiagnosticStatus.NotChecked);
        report[DiagnosticCheck.SendLimits].Summary.Should().Contain("sign-in failed");
        server.AuthenticationsFailed.Should().Be(1, "a wrong password must cost one failed login, not one per mechanism");
    }

    [Fact]
    public async Task The_password_never_appears_in_the_report()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTls });
        server.Script = context => context.Stage == SmtpStage.Authenticate ? ProviderReplies.Gmail.BadCredentials : null;
        const string secret = "s3cr3t-Pa55word!";

        var report = await DiagnoseAsync(server.CreateAccountSettings(Owner, Owner, secret));

        var text = string.Join("\n", report.Findings.SelectMany(f => new[] { f.Summary, f.Reply, f.Advice }).Concat(report.Steps));
        text.Should().NotContain(secret);
        text.Should().NotContain(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"\0{Owner}\0{secret}")));
    }

    [Fact]
    public async Task An_app_password_requirement_is_a_changed_provider_requirement()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTls });
        server.Script = context => context.Stage == SmtpStage.Authenticate ? ProviderReplies.Gmail.ApplicationSpecificPasswordRequired : null;

        var report = await DiagnoseAsync(server.CreateAccountSettings(Owner, Owner, "normal-google-password"));

        var requirements = report[DiagnosticCheck.ProviderRequirements];
        requirements.Status.Should().Be(DiagnosticStatus.Fail, string.Join("\n", report.Findings.Select(f => $"{f} | {f.Reply} | {f.Advice}")));
        requirements.FailureKind.Should().Be(SmtpFailureKind.ProviderRequirementsChanged);
        requirements.Reply.Should().StartWith("534").And.Contain("5.7.9");
        requirements.Advice.Should().Contain("app password");
        report[DiagnosticCheck.Password].Status.Should().Be(DiagnosticStatus.NotChecked, "the server refused before judging the password");
        server.AuthenticationsFailed.Should().Be(1);
    }

    [Fact]
    public async Task Smtp_auth_disabled_for_the_tenant_is_a_changed_provider_requirement()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTls });
        server.Script = context => context.Stage == SmtpStage.Authenticate ? ProviderReplies.Microsoft365.SmtpClientAuthenticationDisabled : null;

        var report = await DiagnoseAsync(server.CreateAccountSettings(Owner, Owner, Password));

        var requirements = report[DiagnosticCheck.ProviderRequirements];
        requirements.Status.Should().Be(DiagnosticStatus.Fail);
        requirements.FailureKind.Should().Be(SmtpFailureKind.ProviderRequirementsChanged);
        requirements.Reply.Should().Contain("5.7.139").And.Contain("SmtpClientAuthentication is disabled");
        requirements.Advice.Should().Contain("Authenticated SMTP").And.Contain("aka.ms/smtp_auth_disabled");
    }

    [Fact]
    public async Task Starttls_required_on_a_plain_connection_fails_and_suggests_starttls()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTlsRequired });
        var account = new SmtpAccountSettings { Host = server.Host, Port = server.Port, Security = SmtpSecurity.None, FromAddress = Owner };

        var report = await DiagnoseAsync(account);

        var requirements = report[DiagnosticCheck.ProviderRequirements];
        requirements.Status.Should().Be(DiagnosticStatus.Fail);
        requirements.FailureKind.Should().Be(SmtpFailureKind.ProviderRequirementsChanged);
        requirements.Reply.Should().Be("530 5.7.0 Must issue a STARTTLS command first");
        requirements.Advice.Should().Contain("set Security to STARTTLS");
        report.SuggestedSecurity.Should().Be(SmtpSecurity.StartTls);
        report[DiagnosticCheck.Settings].Status.Should().Be(DiagnosticStatus.Warning);
        report[DiagnosticCheck.Settings].Summary.Should().Contain("not encrypted");
    }

    [Fact]
    public async Task A_password_is_never_sent_over_an_unencrypted_connection()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTls });
        var account = new SmtpAccountSettings { Host = server.Host, Port = server.Port, Security = SmtpSecurity.None, UserName = Owner, Password = Password, FromAddress = Owner };

        var report = await DiagnoseAsync(account);

        report.IsHealthy.Should().BeFalse();
        report.Findings.Should().Contain(f => f.Status == DiagnosticStatus.Fail && f.Summary.Contains("password was not sent", StringComparison.Ordinal));
        report.SuggestedSecurity.Should().Be(SmtpSecurity.StartTls);
        server.AuthenticationsFailed.Should().Be(0);
        server.AuthenticationsSucceeded.Should().Be(0);
    }

    [Fact]
    public async Task A_sender_refused_only_at_RCPT_TO_fails_the_settings_question()
    {
        // Postfix's reject_sender_login_mismatch answers at RCPT TO (smtpd_delay_reject), in these words
        // (Postfix 3.7, recorded in docs/interop.md).
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTls });
        server.Script = context => context.Stage == SmtpStage.RcptTo
            ? SmtpReply.Parse("553 5.7.1 <bookings@other.example>: Sender address rejected: not owned by user owner@paws.example")
            : null;

        var report = await DiagnoseAsync(server.CreateAccountSettings("bookings@other.example", Owner, Password));

        report.IsHealthy.Should().BeFalse();
        var settings = report[DiagnosticCheck.Settings];
        settings.Status.Should().Be(DiagnosticStatus.Fail);
        settings.FailureKind.Should().Be(SmtpFailureKind.Misconfigured);
        settings.Reply.Should().StartWith("553 5.7.1 <bookings@other.example>: Sender address rejected");
        settings.Advice.Should().Contain("From address");
        report.Steps.Should().Contain(s => s.Contains("RCPT TO:<bookings@other.example>: 553", StringComparison.Ordinal));
        server.Messages.Should().BeEmpty();
    }

    [Fact]
    public async Task A_From_address_refused_only_as_a_recipient_is_a_warning_not_a_failure()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTls });
        server.Script = context => context.Stage == SmtpStage.RcptTo ? SmtpReply.Parse("550 5.1.1 The email account that you tried to reach does not exist.") : null;

        var report = await DiagnoseAsync(server.CreateAccountSettings(Owner, Owner, Password));

        report.IsHealthy.Should().BeTrue(report.ToString());
        var settings = report[DiagnosticCheck.Settings];
        settings.Status.Should().Be(DiagnosticStatus.Warning);
        settings.Summary.Should().Contain("refuses it as a recipient");
        report.Steps.Should().Contain(s => s.Contains("RSET: 250", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_password_refused_over_plain_text_is_worded_as_the_librarys_rule_not_the_providers()
    {
        // The server offers AUTH without TLS on this port: only the library refuses to send the password.
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.None, UserName = Owner, Password = Password });
        var account = new SmtpAccountSettings { Host = server.Host, Port = server.Port, Security = SmtpSecurity.None, UserName = Owner, Password = Password, FromAddress = Owner };

        var report = await DiagnoseAsync(account);

        report.IsHealthy.Should().BeFalse();
        var failed = report.Findings.Single(f => f.Status == DiagnosticStatus.Fail);
        failed.Check.Should().Be(DiagnosticCheck.Settings);
        failed.FailureKind.Should().Be(SmtpFailureKind.Misconfigured);
        failed.Summary.Should().Contain("the library never sends a password in clear text");
        failed.Advice.Should().StartWith("PetSitter.Email never sends a password over an unencrypted connection");
        failed.Advice.Should().NotContain("provider requires");
        report.Findings.Should().NotContain(f => (f.Advice ?? string.Empty).Contains("Your email provider requires an encrypted connection", StringComparison.Ordinal));
        server.AuthenticationsFailed.Should().Be(0);
        server.AuthenticationsSucceeded.Should().Be(0);
    }

    [Fact]
    public async Task A_sender_the_account_may_not_use_fails_the_settings_question()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTls });
        server.Script = context => context.Stage == SmtpStage.MailFrom ? SmtpReply.Parse("550 5.7.60 SMTP; Client does not have permissions to send as this sender") : null;

        var report = await DiagnoseAsync(server.CreateAccountSettings("bookings@other.example", Owner, Password));

        var settings = report[DiagnosticCheck.Settings];
        settings.Status.Should().Be(DiagnosticStatus.Fail);
        settings.FailureKind.Should().Be(SmtpFailureKind.Misconfigured);
        settings.Reply.Should().StartWith("550 5.7.60");
        settings.Summary.Should().Contain("bookings@other.example");
        settings.Advice.Should().Contain("From address");
        report[DiagnosticCheck.Password].Status.Should().Be(DiagnosticStatus.Pass);
    }

    [Fact]
    public async Task A_quota_reply_at_mail_from_fails_the_limits_question_and_says_when_it_resets()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTls });
        server.Script = context => context.Stage == SmtpStage.MailFrom ? ProviderReplies.Gmail.DailyLimitExceeded : null;

        var report = await DiagnoseAsync(server.CreateAccountSettings(Owner, Owner, Password), time: new FakeTimeProvider(Now));

        var limits = report[DiagnosticCheck.SendLimits];
        limits.Status.Should().Be(DiagnosticStatus.Fail);
        limits.FailureKind.Should().Be(SmtpFailureKind.SendLimitReached);
        limits.Reply.Should().StartWith("550").And.Contain("5.4.5");
        limits.Summary.Should().Contain("2026-03-03 14:02 UTC");
        limits.Advice.Should().Contain("Gmail's daily sending limit");
        report.CheckedAt.Should().Be(Now);
    }

    [Fact]
    public async Task A_421_greeting_fails_the_account_question()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTls });
        server.Script = context => context.Stage == SmtpStage.Greeting ? SmtpReply.Parse("421 4.3.2 Service not available, closing transmission channel") : null;

        var report = await DiagnoseAsync(server.CreateAccountSettings(Owner, Owner, Password));

        var account = report[DiagnosticCheck.AccountWorking];
        account.Status.Should().Be(DiagnosticStatus.Fail);
        account.FailureKind.Should().Be(SmtpFailureKind.Transient);
        account.Reply.Should().StartWith("421");
        account.Summary.Should().Contain("421");
        account.Advice.Should().Be(SmtpFailureAdvice.For(SmtpFailureKind.Transient));
        report.SuggestedSecurity.Should().BeNull("a refusal in words is not a security mode problem");
    }

    [Fact]
    public async Task A_closed_port_fails_the_settings_question_at_once()
    {
        var port = ClosedPort();
        var account = new SmtpAccountSettings { Host = "127.0.0.1", Port = port, Security = SmtpSecurity.StartTls, FromAddress = Owner };

        var report = await DiagnoseAsync(account, new DiagnosticOptions { StepTimeout = TimeSpan.FromSeconds(2) });

        var settings = report[DiagnosticCheck.Settings];
        settings.Status.Should().Be(DiagnosticStatus.Fail);
        settings.FailureKind.Should().Be(SmtpFailureKind.Misconfigured);
        settings.Summary.Should().Contain($"port {port}");
        settings.Advice.Should().Contain("check the port");
        report[DiagnosticCheck.AccountWorking].Status.Should().Be(DiagnosticStatus.NotChecked);
        report[DiagnosticCheck.AccountWorking].Summary.Should().Contain("connection to the server failed");
    }

    [Fact]
    public async Task An_unknown_host_fails_the_settings_question()
    {
        var account = new SmtpAccountSettings { Host = "smtp.petsitter-diagnose.invalid", Port = 587, FromAddress = Owner };

        var report = await DiagnoseAsync(account, new DiagnosticOptions { StepTimeout = TimeSpan.FromSeconds(5) });

        var settings = report[DiagnosticCheck.Settings];
        settings.Status.Should().Be(DiagnosticStatus.Fail);
        settings.FailureKind.Should().Be(SmtpFailureKind.Misconfigured);
        settings.Summary.Should().Contain("smtp.petsitter-diagnose.invalid");
        settings.Advice.Should().Contain("server name could not be found");
    }

    [Fact]
    public async Task Implicit_tls_against_a_starttls_port_fails_and_suggests_starttls()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTls });
        var account = WithSecurity(server.CreateAccountSettings(Owner, Owner, Password), SmtpSecurity.ImplicitTls);

        var report = await DiagnoseAsync(account, new DiagnosticOptions { StepTimeout = TimeSpan.FromSeconds(3) });

        var settings = report[DiagnosticCheck.Settings];
        settings.Status.Should().Be(DiagnosticStatus.Fail);
        settings.FailureKind.Should().Be(SmtpFailureKind.Misconfigured);
        settings.Advice.Should().Contain("set Security to STARTTLS");
        report.SuggestedSecurity.Should().Be(SmtpSecurity.StartTls);
        server.AuthenticationsFailed.Should().Be(0);
    }

    [Fact]
    public async Task Implicit_tls_against_a_server_without_any_encryption_says_so()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.None });
        var account = WithSecurity(server.CreateAccountSettings(Owner), SmtpSecurity.ImplicitTls);

        var report = await DiagnoseAsync(account, new DiagnosticOptions { StepTimeout = TimeSpan.FromSeconds(3) });

        report[DiagnosticCheck.Settings].Status.Should().Be(DiagnosticStatus.Fail);
        report[DiagnosticCheck.Settings].Advice.Should().Contain("offers no encryption there");
        report.SuggestedSecurity.Should().Be(SmtpSecurity.None);
    }

    [Fact]
    public async Task Starttls_against_an_implicit_tls_port_times_out_and_suggests_ssl_tls()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.ImplicitTls });
        var account = WithSecurity(server.CreateAccountSettings(Owner, Owner, Password), SmtpSecurity.StartTls);

        // The client waits for a greeting while the server waits for a TLS hello: only a timeout ends it. The same
        // timeout bounds the second connection's TLS handshake, which took longer than 400 ms on a loaded 2-core machine.
        var report = await DiagnoseAsync(account, new DiagnosticOptions { StepTimeout = TimeSpan.FromMilliseconds(1500) });

        var settings = report[DiagnosticCheck.Settings];
        settings.Status.Should().Be(DiagnosticStatus.Fail);
        settings.FailureKind.Should().Be(SmtpFailureKind.Misconfigured);
        settings.Advice.Should().Contain("set Security to SSL/TLS");
        report.SuggestedSecurity.Should().Be(SmtpSecurity.ImplicitTls);
    }

    [Fact]
    public async Task An_untrusted_certificate_is_reported_and_never_accepted()
    {
        using var stranger = TestCertificateAuthority.Create("Stranger CA");
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTls, CertificateAuthority = stranger });
        var account = server.CreateAccountSettings(Owner, Owner, Password);
        var trustingAnotherCa = new SmtpAccountSettings
        {
            Host = account.Host, Port = account.Port, Security = account.Security, UserName = Owner, Password = Password, FromAddress = Owner,
            TrustedCertificateAuthorities = [TestCertificateAuthority.Shared.Certificate],
        };

        var report = await DiagnoseAsync(trustingAnotherCa);

        var settings = report[DiagnosticCheck.Settings];
        settings.Status.Should().Be(DiagnosticStatus.Fail);
        settings.FailureKind.Should().Be(SmtpFailureKind.Misconfigured);
        settings.Summary.Should().Contain("certificate is not trusted").And.Contain("untrusted root");
        settings.Advice.Should().Contain("certificate");
        report.SuggestedSecurity.Should().BeNull();
        server.AuthenticationsSucceeded.Should().Be(0);
        server.AuthenticationsFailed.Should().Be(0);
    }

    [Fact]
    public async Task A_certificate_for_another_name_is_reported()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTls });
        var account = WithHost(server.CreateAccountSettings(Owner, Owner, Password), "smtp.gmail.com");

        var report = await DiagnoseAsync(account, resolveTo: server);

        report.Provider.Should().Be("Gmail");
        var settings = report[DiagnosticCheck.Settings];
        settings.Status.Should().Be(DiagnosticStatus.Fail);
        settings.Summary.Should().Contain("does not match the host name 'smtp.gmail.com'");
    }

    [Fact]
    public async Task A_server_that_drops_the_connection_after_ehlo_fails_the_account_question()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTls });
        server.Script = context => context.Stage == SmtpStage.Authenticate ? SmtpReply.Disconnect : null;

        var report = await DiagnoseAsync(server.CreateAccountSettings(Owner, Owner, Password));

        var account = report[DiagnosticCheck.AccountWorking];
        account.Status.Should().Be(DiagnosticStatus.Fail);
        account.FailureKind.Should().Be(SmtpFailureKind.Transient);
        account.Summary.Should().Contain("connection was lost");
        account.Advice.Should().Contain("dropped");
        report[DiagnosticCheck.ProviderRequirements].Status.Should().Be(DiagnosticStatus.Pass, "EHLO was answered before the drop");
    }

    [Fact]
    public async Task A_test_message_is_sent_only_when_asked_and_answers_the_spam_question()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTls });

        var report = await DiagnoseAsync(server.CreateAccountSettings(Owner, Owner, Password), new DiagnosticOptions { TestRecipient = "me@paws.example" });

        report.IsHealthy.Should().BeTrue();
        report[DiagnosticCheck.SpamReputation].Status.Should().Be(DiagnosticStatus.Pass);
        report[DiagnosticCheck.AccountWorking].Summary.Should().Contain("me@paws.example");
        var message = (await server.WaitForMessagesAsync(1, Token)).Single();
        message.Sender.Should().Be(Owner);
        message.Recipients.Should().Equal("me@paws.example");
        message.Message.Subject.Should().Contain("test message");
    }

    [Fact]
    public async Task A_test_message_refused_as_spam_fails_the_spam_question()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTls });
        server.Script = context => context.Stage == SmtpStage.AfterData
            ? SmtpReply.Parse("550 5.7.1 Our system has detected that this message is likely unsolicited mail.")
            : null;

        var report = await DiagnoseAsync(server.CreateAccountSettings(Owner, Owner, Password), new DiagnosticOptions { TestRecipient = "me@paws.example" });

        var spam = report[DiagnosticCheck.SpamReputation];
        spam.Status.Should().Be(DiagnosticStatus.Fail);
        spam.FailureKind.Should().Be(SmtpFailureKind.RejectedAsSpam);
        spam.Advice.Should().Contain("safe sender");
    }

    [Fact]
    public async Task A_recorded_quota_is_shown_with_when_sending_resumes()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTls });
        var health = new AccountHealth("paws", AccountHealthState.Throttled, SmtpFailureKind.SendLimitReached,
            "Gmail's daily sending limit for your account has been reached.", Now, Now.AddDays(1), ProviderReplies.Gmail.DailyLimitExceeded.Text);

        var report = await DiagnoseAsync(server.CreateAccountSettings(Owner, Owner, Password), new DiagnosticOptions { RecordedHealth = health });

        var limits = report[DiagnosticCheck.SendLimits];
        limits.Status.Should().Be(DiagnosticStatus.Warning);
        limits.FailureKind.Should().Be(SmtpFailureKind.SendLimitReached);
        limits.Summary.Should().Contain("since 2026-03-02 14:02 UTC").And.Contain("resumes at 2026-03-03 14:02 UTC");
        limits.Reply.Should().Contain("5.4.5");
        report.IsHealthy.Should().BeTrue("the server takes mail again; the library holds the account until the quota resets");
    }

    [Fact]
    public async Task Microsoft_365_shows_its_requirements_and_its_connection_cap()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.None });
        var account = new SmtpAccountSettings
        {
            Host = "smtp.office365.com", Port = server.Port, Security = SmtpSecurity.None, AllowAuthenticationWithoutTls = true,
            UserName = Owner, Password = Password, FromAddress = Owner, MaxConnections = 5,
        };

        var report = await DiagnoseAsync(account, resolveTo: server);

        report.Provider.Should().Be("Microsoft 365");
        report[DiagnosticCheck.SendLimits].Summary.Should().Contain("Microsoft 365's published limits: 30/min, 10000 recipients/day, 500 recipients/message");
        var requirements = report[DiagnosticCheck.ProviderRequirements];
        requirements.Status.Should().Be(DiagnosticStatus.Warning);
        requirements.Summary.Should().Contain("SMTP AUTH turned on");
        requirements.Advice.Should().Contain("December 2026");
        var settings = report[DiagnosticCheck.Settings];
        settings.Status.Should().Be(DiagnosticStatus.Warning);
        settings.Summary.Should().Contain("at most 3 connections").And.Contain("port 587 with STARTTLS");
        report.IsHealthy.Should().BeTrue();
    }

    [Fact]
    public async Task The_limits_shown_are_the_preset_with_the_accounts_overrides()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTls });
        var account = new SmtpAccountSettings
        {
            Host = server.Host, Port = server.Port, Security = SmtpSecurity.StartTls, UserName = Owner, Password = Password, FromAddress = Owner,
            TrustedCertificateAuthorities = [TestCertificateAuthority.Shared.Certificate],
            Provider = "Google Workspace", Limits = new SendLimits { MessagesPerDay = 500 },
        };

        var report = await DiagnoseAsync(account);

        report.Provider.Should().Be("Google Workspace");
        var limits = report[DiagnosticCheck.SendLimits];
        limits.Status.Should().Be(DiagnosticStatus.Pass);
        limits.Summary.Should().Contain("Google Workspace's limits with the account's overrides: 2/s, 500/day, 3000 recipients/day, 100 recipients/message");
    }

    [Fact]
    public async Task A_server_without_a_preset_says_no_limits_are_known()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTls });

        var report = await DiagnoseAsync(server.CreateAccountSettings(Owner, Owner, Password));

        report.Provider.Should().BeNull();
        report[DiagnosticCheck.SendLimits].Summary.Should().Contain("No sending limits are known for this server");
    }

    [Fact]
    public async Task Outlook_com_refusing_basic_authentication_points_to_oauth()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.None });
        server.Script = context => context.Stage == SmtpStage.Authenticate
            ? SmtpReply.Parse("535 5.7.139 Authentication unsuccessful, basic authentication is disabled.")
            : null;
        var account = new SmtpAccountSettings
        {
            Host = "smtp-mail.outlook.com", Port = server.Port, Security = SmtpSecurity.None, AllowAuthenticationWithoutTls = true,
            UserName = Owner, Password = Password, FromAddress = Owner,
        };

        var report = await DiagnoseAsync(account, resolveTo: server);

        var requirements = report[DiagnosticCheck.ProviderRequirements];
        requirements.Status.Should().Be(DiagnosticStatus.Fail);
        requirements.FailureKind.Should().Be(SmtpFailureKind.ProviderRequirementsChanged);
        requirements.Advice.Should().Contain("OAuth");
        requirements.Summary.Should().Contain("Microsoft sign-in (OAuth2) only");
    }

    [Fact]
    public async Task Invalid_settings_are_reported_without_connecting()
    {
        var account = new SmtpAccountSettings { Host = "smtp.example.com", Port = 70000, FromAddress = Owner };

        var report = await DiagnoseAsync(account);

        report[DiagnosticCheck.Settings].Status.Should().Be(DiagnosticStatus.Fail);
        report[DiagnosticCheck.Settings].Reply.Should().Contain("Port 70000 is out of range");
        report.Steps.Should().ContainSingle();
    }

    [Fact]
    public async Task Invalid_options_are_refused()
    {
        var diagnostics = new SmtpDiagnostics();
        var account = new SmtpAccountSettings { Host = "smtp.example.com", FromAddress = Owner };

        var zeroTimeout = () => diagnostics.RunAsync(account, new DiagnosticOptions { StepTimeout = TimeSpan.Zero });
        var badRecipient = () => diagnostics.RunAsync(account, new DiagnosticOptions { TestRecipient = "not an address" });

        await zeroTimeout.Should().ThrowAsync<ArgumentException>().WithMessage("*StepTimeout*");
        await badRecipient.Should().ThrowAsync<ArgumentException>().WithMessage("*TestRecipient*");
    }

    [Fact]
    public async Task Cancellation_by_the_caller_is_not_reported_as_a_finding()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.ImplicitTls });
        var account = WithSecurity(server.CreateAccountSettings(Owner), SmtpSecurity.StartTls);
        using var cancel = new CancellationTokenSource();
        var run = new SmtpDiagnostics().RunAsync(account, new DiagnosticOptions { StepTimeout = TimeSpan.FromMinutes(1) }, cancel.Token);

        await cancel.CancelAsync();

        await run.Invoking(r => r).Should().ThrowAsync<OperationCanceledException>();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }

        _testTimeout.Dispose();
    }

    private async Task<ScriptedSmtpServer> StartAsync(ScriptedSmtpServerOptions options)
    {
        var server = await ScriptedSmtpServer.StartAsync(options, Token);
        _servers.Add(server);
        return server;
    }

    private Task<DiagnosticReport> DiagnoseAsync(SmtpAccountSettings account, DiagnosticOptions? options = null, TimeProvider? time = null, ScriptedSmtpServer? resolveTo = null)
    {
        var diagnostics = new SmtpDiagnostics(time ?? TimeProvider.System, TestLogging.For<SmtpDiagnostics>())
        {
            ResolveHost = resolveTo is null ? Dns.GetHostAddressesAsync : (_, _) => Task.FromResult(new[] { IPAddress.Parse(resolveTo.Host) }),
        };
        return diagnostics.RunAsync(account, options ?? new DiagnosticOptions { StepTimeout = TimeSpan.FromSeconds(5) }, Token);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static SmtpAccountSettings WithSecurity(SmtpAccountSettings account, SmtpSecurity security) => new()
    {
        Host = account.Host, Port = account.Port, Security = security, UserName = account.UserName, Password = account.Password,
        FromAddress = account.FromAddress, TrustedCertificateAuthorities = [TestCertificateAuthority.Shared.Certificate],
    };

    private static SmtpAccountSettings WithHost(SmtpAccountSettings account, string host) => new()
    {
        Host = host, Port = account.Port, Security = account.Security, UserName = account.UserName, Password = account.Password,
        FromAddress = account.FromAddress, TrustedCertificateAuthorities = account.TrustedCertificateAuthorities,
    };
}
