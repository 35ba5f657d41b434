using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace PetSitter.Email.Tests.Diagnostics;

/// <summary>The report's model, its registration, and the pieces the run is built from.</summary>
public sealed class DiagnosticModelTests
{
    [Fact]
    public void A_report_answers_every_question_in_order_even_when_given_fewer_findings()
    {
        var report = new DiagnosticReport("smtp.example.com", 587, SmtpSecurity.StartTls,
        [
            new DiagnosticFinding(DiagnosticCheck.Settings, DiagnosticStatus.Pass, "Reached."),
            new DiagnosticFinding(DiagnosticCheck.AccountWorking, DiagnosticStatus.Pass, "Greeted."),
        ]);

        report.Findings.Select(f => f.Check).Should().Equal(Enum.GetValues<DiagnosticCheck>());
        report[DiagnosticCheck.Password].Status.Should().Be(DiagnosticStatus.NotChecked);
        report.IsHealthy.Should().BeTrue();
    }

    [Fact]
    public void One_failed_question_makes_the_report_unhealthy_and_warnings_do_not()
    {
        var warned = new DiagnosticReport("h", 25, SmtpSecurity.None, [new DiagnosticFinding(DiagnosticCheck.Settings, DiagnosticStatus.Warning, "Not encrypted.")]);
        var failed = new DiagnosticReport("h", 25, SmtpSecurity.None, [new DiagnosticFinding(DiagnosticCheck.Password, DiagnosticStatus.Fail, "Refused.", SmtpFailureKind.AuthenticationFailed)]);

        warned.IsHealthy.Should().BeTrue();
        failed.IsHealthy.Should().BeFalse();
        failed.ToString().Should().Be("h:25 (None): Password failed (AuthenticationFailed)");
    }

    [Fact]
    public void Two_findings_for_one_question_are_refused()
    {
        var twice = () => new DiagnosticReport("h", 25, SmtpSecurity.None,
        [
            new DiagnosticFinding(DiagnosticCheck.Settings, DiagnosticStatus.Pass, "One."),
            new DiagnosticFinding(DiagnosticCheck.Settings, DiagnosticStatus.Fail, "Two."),
        ]);

        twice.Should().Throw<ArgumentException>().WithMessage("*Settings*");
    }

    [Fact]
    public void Each_check_carries_the_articles_question()
    {
        new DiagnosticFinding(DiagnosticCheck.Password, DiagnosticStatus.Pass, "Signed in.").Question.Should().Be("Is your email password correct?");
        new DiagnosticFinding(DiagnosticCheck.SpamReputation, DiagnosticStatus.NotChecked, "No test.").Question.Should().Be("Has your client marked your emails as spam or junk?");
        Enum.GetValues<DiagnosticCheck>().Select(DiagnosticQuestions.For).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public void A_failure_asks_the_same_question_as_the_check_it_answers()
    {
        // One question table: the failure an owner sees and the diagnosis finding it feeds must read alike.
        foreach (var check in Enum.GetValues<DiagnosticCheck>())
        {
            var lead = DiagnosticQuestions.LeadKind(check);
            DiagnosticQuestions.CheckFor(lead).Should().Be(check);
            new SmtpFailure(lead, isAccountLevel: true, isTransient: false, "advice").Question.Should().Be(DiagnosticQuestions.For(check));
        }

        new SmtpFailure(SmtpFailureKind.CredentialsExpired, isAccountLevel: true, isTransient: false, "advice").Question
            .Should().Be(DiagnosticQuestions.For(DiagnosticCheck.Password));
    }

    [Fact]
    public void A_finding_never_keeps_a_sign_in_secret_a_server_echoed()
    {
        var payload = Convert.ToBase64String(Encoding.UTF8.GetBytes("\0owner@paws.example\0hunter2"));

        var finding = new DiagnosticFinding(DiagnosticCheck.Password, DiagnosticStatus.Fail, "Refused.", SmtpFailureKind.AuthenticationFailed, $"501 5.5.2 Invalid AUTH PLAIN {payload}");

        finding.Reply.Should().NotContain(payload).And.Contain("***");
    }

    [Theory]
    [InlineData(SmtpFailureKind.AccountUnavailable, DiagnosticCheck.AccountWorking)]
    [InlineData(SmtpFailureKind.SendLimitReached, DiagnosticCheck.SendLimits)]
    [InlineData(SmtpFailureKind.AuthenticationFailed, DiagnosticCheck.Password)]
    [InlineData(SmtpFailureKind.CredentialsExpired, DiagnosticCheck.Password)]
    [InlineData(SmtpFailureKind.Misconfigured, DiagnosticCheck.Settings)]
    [InlineData(SmtpFailureKind.ProviderRequirementsChanged, DiagnosticCheck.ProviderRequirements)]
    [InlineData(SmtpFailureKind.RejectedAsSpam, DiagnosticCheck.SpamReputation)]
    [InlineData(SmtpFailureKind.Transient, DiagnosticCheck.AccountWorking)]
    [InlineData(SmtpFailureKind.RecipientRejected, DiagnosticCheck.AccountWorking)]
    public void Each_failure_kind_answers_its_question(SmtpFailureKind kind, DiagnosticCheck check) =>
        DiagnosticQuestions.CheckFor(kind).Should().Be(check);

    [Fact]
    public void The_protocol_log_keeps_replies_as_mailkit_reports_them_and_skips_sasl_challenges()
    {
        var log = new DiagnosticProtocolLog(new SmtpStageTracker());
        Server(log, "220 smtp.example.com ESMTP\r\n250-smtp.example.com\r\n250 AUTH PLAIN\r\n334 VXNlcm5hbWU6\r\n534-5.7.9 Application-specific password required.\r\n");
        Server(log, "534 5.7.9 Learn more at https://support.google.com/mail/?p=InvalidSecondFactor\r\n");

        log.Greeting.Should().Be("220 smtp.example.com ESMTP");
        log.Replies.Should().HaveCount(3, "the 334 challenge is not kept");
        log.LastErrorAfter(1).Should().Be((534, "5.7.9 Application-specific password required.\n5.7.9 Learn more at https://support.google.com/mail/?p=InvalidSecondFactor"));
        log.LastErrorAfter(3).Should().BeNull();
    }

    [Fact]
    public void A_step_that_runs_out_of_time_is_a_timeout_not_a_cancellation()
    {
        var time = new FakeTimeProvider();
        using var step = new DiagnosticStep(time, TimeSpan.FromSeconds(5), CancellationToken.None);

        time.Advance(TimeSpan.FromSeconds(5));

        step.Token.IsCancellationRequested.Should().BeTrue();
        step.Explain(new OperationCanceledException(step.Token)).Should().BeOfType<TimeoutException>().Which.Message.Should().Contain("5 s");
        step.Elapsed.Should().Be("5000 ms");
    }

    [Fact]
    public void A_cancellation_by_the_caller_stays_a_cancellation()
    {
        using var caller = new CancellationTokenSource();
        using var step = new DiagnosticStep(new FakeTimeProvider(), TimeSpan.FromSeconds(5), caller.Token);

        caller.Cancel();

        step.Explain(new OperationCanceledException(step.Token)).Should().BeOfType<OperationCanceledException>();
    }

    [Fact]
    public void AddPetSitterEmail_registers_the_diagnostics_once()
    {
        var services = new ServiceCollection();

        services.AddPetSitterEmail();
        services.AddPetSitterEmail();
        using var provider = services.BuildServiceProvider();

        services.Count(d => d.ServiceType == typeof(ISmtpDiagnostics)).Should().Be(1);
        provider.GetRequiredService<ISmtpDiagnostics>().Should().BeOfType<SmtpDiagnostics>();
    }

    private static void Server(DiagnosticProtocolLog log, string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        log.LogServer(bytes, 0, bytes.Length);
    }
}
