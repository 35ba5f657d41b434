using System.Net.Sockets;
using MailKit.Net.Smtp;

namespace PetSitter.Email.Tests.Failures;

public class SmtpFailureClassifierTests
{
    public static TheoryData<string, int, SmtpStage, string?, SmtpFailureKind, bool, bool, double?, string> ProviderReplies() =>
        FailureExamples.Rows(FailureExamples.ProviderReplies);

    public static TheoryData<string, int, SmtpStage, string?, SmtpFailureKind, bool, bool, double?, string> OtherReplies() =>
        FailureExamples.Rows(FailureExamples.OtherReplies);

    public static TheoryData<string> ExceptionNames()
    {
        var data = new TheoryData<string>();
        foreach (var example in FailureExamples.Exceptions)
        {
            data.Add(example.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ProviderReplies))]
    public void Every_providers_md_reply_is_classified_as_sent(string reply, int code, SmtpStage stage, string? host, SmtpFailureKind kind, bool accountLevel, bool transient, double? resetsAfterMinutes, string adviceMentions)
    {
        var failure = SmtpFailureClassifier.Classify(new SmtpTransportException(stage, code, reply), host);

        ShouldBe(failure, kind, accountLevel, transient, resetsAfterMinutes, adviceMentions);
        failure.Stage.Should().Be(stage);
        failure.StatusCode.Should().Be(code);
        failure.Reply.Should().Be(reply, "a real reply carries no secret and is kept verbatim as evidence");
    }

    [Theory]
    [MemberData(nameof(ProviderReplies))]
    public void Every_providers_md_reply_is_classified_as_MailKit_reports_it(string reply, int code, SmtpStage stage, string? host, SmtpFailureKind kind, bool accountLevel, bool transient, double? resetsAfterMinutes, string adviceMentions)
    {
        var failure = SmtpFailureClassifier.Classify(FailureExamples.AsMailKitReports(reply, code, stage), host);

        ShouldBe(failure, kind, accountLevel, transient, resetsAfterMinutes, adviceMentions);

        // MailKit raises 530 at MAIL/RCPT/DATA as ServiceNotAuthenticatedException, which has no code.
        var codeKnown = !(code == 530 && stage is SmtpStage.MailFrom or SmtpStage.RcptTo or SmtpStage.Data);
        failure.StatusCode.Should().Be(codeKnown ? code : null);
    }

    [Theory]
    [MemberData(nameof(ProviderReplies))]
    public void Every_providers_md_reply_means_the_same_when_the_host_is_not_known(string reply, int code, SmtpStage stage, string? host, SmtpFailureKind kind, bool accountLevel, bool transient, double? resetsAfterMinutes, string adviceMentions)
    {
        _ = (host, adviceMentions);

        // The sender does not pass the host today: the reply alone must carry the meaning.
        var failure = SmtpFailureClassifier.Classify(new SmtpTransportException(stage, code, reply));

        failure.Kind.Should().Be(kind);
        failure.IsAccountLevel.Should().Be(accountLevel);
        failure.IsTransient.Should().Be(transient);
        failure.ResetsAfter.Should().Be(resetsAfterMinutes is null ? null : TimeSpan.FromMinutes(resetsAfterMinutes.Value));
    }

    [Theory]
    [MemberData(nameof(OtherReplies))]
    public void Replies_beyond_providers_md_are_classified_by_code_text_and_stage(string reply, int code, SmtpStage stage, string? host, SmtpFailureKind kind, bool accountLevel, bool transient, double? resetsAfterMinutes, string adviceMentions)
    {
        var failure = SmtpFailureClassifier.Classify(new SmtpTransportException(stage, code, reply), host);

        ShouldBe(failure, kind, accountLevel, transient, resetsAfterMinutes, adviceMentions);
    }

    [Theory]
    [MemberData(nameof(OtherReplies))]
    public void Replies_beyond_providers_md_are_classified_as_MailKit_reports_them(string reply, int code, SmtpStage stage, string? host, SmtpFailureKind kind, bool accountLevel, bool transient, double? resetsAfterMinutes, string adviceMentions)
    {
        var failure = SmtpFailureClassifier.Classify(FailureExamples.AsMailKitReports(reply, code, stage), host);

        ShouldBe(failure, kind, accountLevel, transient, resetsAfterMinutes, adviceMentions);
    }

    [Theory]
    [MemberData(nameof(ExceptionNames))]
    public void MailKit_and_network_exceptions_are_classified(string name)
    {
        var example = FailureExamples.Exceptions.Single(e => e.Name == name);

        var failure = SmtpFailureClassifier.Classify(example.Create(), example.Host);

        ShouldBe(failure, example.Kind, example.AccountLevel, example.Transient, resetsAfterMinutes: null, example.AdviceMentions);
        failure.Stage.Should().Be(example.Stage);
        failure.Reply.Should().NotBeNullOrWhiteSpace("the owner and the logs need the server's words or the error's");
    }

    [Fact]
    public void Microsoft_432_means_too_many_connections_not_a_password_transition()
    {
        var failure = Classify(SmtpStage.Authenticate, 432, "4.3.2 Concurrent connections limit exceeded.", "smtp.office365.com");

        failure.Kind.Should().Be(SmtpFailureKind.Transient);
        failure.IsAccountLevel.Should().BeFalse();
        failure.Kind.Should().NotBe(SmtpFailureKind.CredentialsExpired);
    }

    [Fact]
    public void Gmail_534_means_an_app_password_is_required_not_a_weak_mechanism()
    {
        var failure = Classify(SmtpStage.Authenticate, 534, "5.7.9 Application-specific password required. Learn more at https://support.google.com/mail/?p=InvalidSecondFactor", "smtp.gmail.com");

        failure.Kind.Should().Be(SmtpFailureKind.ProviderRequirementsChanged);
        failure.Advice.Should().Be("Gmail now requires an app password (or signing in with Google) for SMTP: create an app password in your Google account and enter it in Custom SMTP Configuration.");
    }

    [Fact]
    public void A_daily_quota_under_550_is_a_limit_that_resets_not_a_permanent_failure()
    {
        var failure = Classify(SmtpStage.MailFrom, 550, "5.4.5 Daily user sending limit exceeded.", "smtp.gmail.com");

        failure.Kind.Should().Be(SmtpFailureKind.SendLimitReached);
        failure.IsTransient.Should().BeTrue();
        failure.ResetsAfter.Should().Be(TimeSpan.FromHours(24));
        failure.QuotaSignal.Should().Be(ProviderQuotaSignal.Window);
        failure.IsProviderQuota.Should().BeTrue();
    }

    [Fact]
    public void The_same_5xx_class_means_different_things_by_enhanced_code()
    {
        Classify(SmtpStage.Authenticate, 535, "5.7.139 Authentication unsuccessful, basic authentication is disabled.", "smtp.office365.com")
            .Kind.Should().Be(SmtpFailureKind.ProviderRequirementsChanged);
        Classify(SmtpStage.Authenticate, 535, "5.7.3 Authentication unsuccessful", "smtp.office365.com")
            .Kind.Should().Be(SmtpFailureKind.AuthenticationFailed);
        Classify(SmtpStage.Data, 550, "5.1.8 Bad outbound sender", "smtp.office365.com")
            .Kind.Should().Be(SmtpFailureKind.AccountUnavailable);
        Classify(SmtpStage.RcptTo, 550, "5.1.1 The email account that you tried to reach does not exist.", "smtp.gmail.com")
            .Kind.Should().Be(SmtpFailureKind.RecipientRejected);
    }

    [Fact]
    public void A_single_421_at_the_greeting_is_transient_not_an_unavailable_account()
    {
        var failure = Classify(SmtpStage.Greeting, 421, "4.3.0 Temporary System Problem. Try again later", "smtp.gmail.com");

        failure.Kind.Should().Be(SmtpFailureKind.Transient);
        failure.IsAccountLevel.Should().BeFalse();
    }

    [Fact]
    public void A_421_at_the_greeting_that_names_the_account_is_an_unavailable_account()
    {
        var failure = Classify(SmtpStage.Greeting, 421, "4.7.1 Account suspended, contact support", null);

        failure.Kind.Should().Be(SmtpFailureKind.AccountUnavailable);
        failure.IsAccountLevel.Should().BeTrue();
    }

    [Fact]
    public void A_disabled_account_at_RCPT_is_the_clients_not_the_owners()
    {
        var failure = Classify(SmtpStage.RcptTo, 550, "5.2.1 The email account that you tried to reach is disabled.", "smtp.gmail.com");

        failure.Kind.Should().Be(SmtpFailureKind.RecipientRejected);
        failure.IsAccountLevel.Should().BeFalse();
    }

    [Fact]
    public void A_clients_full_mailbox_is_not_the_owners_sending_quota()
    {
        var failure = Classify(SmtpStage.RcptTo, 452, "4.2.2 The email account that you tried to reach is over quota.", "smtp.gmail.com");

        failure.Kind.Should().Be(SmtpFailureKind.RecipientRejected);
        failure.IsProviderQuota.Should().BeFalse();
        failure.ResetsAfter.Should().BeNull();
    }

    [Fact]
    public void The_owners_full_mailbox_at_Microsoft_is_an_unavailable_account_not_a_quota()
    {
        var failure = Classify(SmtpStage.Data, 554, "5.2.2 mailbox full; STOREDRV.Submission.Exception:QuotaExceededException.MapiExceptionShutoffQuotaExceeded", "smtp.office365.com");

        failure.Kind.Should().Be(SmtpFailureKind.AccountUnavailable);
        failure.IsProviderQuota.Should().BeFalse();
    }

    [Fact]
    public void A_sender_refusal_Postfix_delays_to_RCPT_is_still_the_senders_settings()
    {
        var failure = Classify(SmtpStage.RcptTo, 553, "5.7.1 <hello@paws.example>: Sender address rejected: not owned by user owner@paws.example", "smtp.titan.email");

        failure.Kind.Should().Be(SmtpFailureKind.Misconfigured);
        failure.IsAccountLevel.Should().BeTrue();
    }

    [Fact]
    public void Anything_after_DATA_is_transient_and_message_level_whatever_the_reply()
    {
        var failure = Classify(SmtpStage.AfterData, 554, "5.7.1 Message rejected as spam", null);

        failure.Kind.Should().Be(SmtpFailureKind.Transient);
        failure.IsAccountLevel.Should().BeFalse();
        failure.Advice.Should().Contain("not sent again");
    }

    [Theory]
    [InlineData(SmtpStage.Authenticate, 535, SmtpFailureKind.AuthenticationFailed)]
    [InlineData(SmtpStage.MailFrom, 550, SmtpFailureKind.Misconfigured)]
    [InlineData(SmtpStage.RcptTo, 550, SmtpFailureKind.RecipientRejected)]
    [InlineData(SmtpStage.Data, 554, SmtpFailureKind.MessageRejected)]
    [InlineData(SmtpStage.Greeting, 554, SmtpFailureKind.AccountUnavailable)]
    [InlineData(SmtpStage.Ehlo, 550, SmtpFailureKind.Misconfigured)]
    [InlineData(SmtpStage.MailFrom, 451, SmtpFailureKind.Transient)]
    [InlineData(SmtpStage.RcptTo, 450, SmtpFailureKind.Transient)]
    public void A_reply_that_says_nothing_more_is_read_by_class_and_stage(SmtpStage stage, int code, SmtpFailureKind kind) =>
        Classify(stage, code, "Requested action not taken", null).Kind.Should().Be(kind);

    [Fact]
    public void Postfix_refusing_AUTH_for_too_many_attempts_is_a_sign_in_throttle_not_a_wrong_password()
    {
        // Issue 12: anvil answered before Dovecot saw the password, so the password may well be right.
        var failure = Classify(SmtpStage.Authenticate, 450, "450 4.7.1 Error: too many AUTH commands from 127.0.0.1", "mail.pawsandclaws.example");

        failure.Kind.Should().Be(SmtpFailureKind.SendLimitReached);
        failure.QuotaSignal.Should().Be(ProviderQuotaSignal.BackOff);
        failure.ResetsAfter.Should().Be(SmtpFailureRules.LoginBackOff);
        failure.IsTransient.Should().BeTrue();
        failure.Reply.Should().Be("450 4.7.1 Error: too many AUTH commands from 127.0.0.1");
    }

    [Theory]
    [InlineData(SmtpStage.RcptTo, "450 4.7.1 Error: too many recipients from 127.0.0.1")]
    [InlineData(SmtpStage.MailFrom, "450 4.7.1 Error: too much mail from 127.0.0.1")]
    public void A_servers_rate_limit_on_the_client_is_the_accounts_limit_with_a_back_off(SmtpStage stage, string reply)
    {
        var failure = Classify(stage, 450, reply, "mail.pawsandclaws.example");

        failure.Kind.Should().Be(SmtpFailureKind.SendLimitReached);
        failure.IsAccountLevel.Should().BeTrue("the limit counts the client's mail per minute, not this message's recipients");
        failure.IsTransient.Should().BeTrue();
        failure.QuotaSignal.Should().Be(ProviderQuotaSignal.BackOff, "a limit is waited out, never retried at once");
        failure.IsProviderQuota.Should().BeTrue();
        failure.ResetsAfter.Should().Be(SmtpFailureRules.RateBackOff);
    }

    [Theory]
    [InlineData(SmtpStage.MailFrom, 535, "535 5.7.8 Error: authentication failed: <detail>")]
    [InlineData(SmtpStage.RcptTo, 534, "534 5.7.9 Authentication mechanism is too weak")]
    [InlineData(SmtpStage.Data, 554, "554 5.7.9 Message not accepted for policy reasons. See https://postmaster.yahooinc.com/error-codes")]
    [InlineData(SmtpStage.Data, 550, "550 5.7.8 Error: authentication failed")]
    [InlineData(SmtpStage.Data, 554, "554 5.7.0 Your password has expired")]
    public void After_the_sign_in_was_accepted_no_reply_says_the_sign_in_is_wrong(SmtpStage stage, int code, string reply)
    {
        var failure = Classify(stage, code, reply, "smtp.mail.yahoo.com");

        failure.Kind.Should().NotBe(SmtpFailureKind.AuthenticationFailed).And.NotBe(SmtpFailureKind.CredentialsExpired)
            .And.NotBe(SmtpFailureKind.ProviderRequirementsChanged);
    }

    [Theory]
    [InlineData(454, "454 4.7.0 Temporary authentication failure: <detail>")]
    [InlineData(450, "450 4.7.1 Error: too many AUTH commands from 127.0.0.1")]
    [InlineData(421, "421 4.7.0 Error: too many errors")]
    public void A_4xx_at_AUTH_is_never_a_wrong_password(int code, string reply)
    {
        var failure = Classify(SmtpStage.Authenticate, code, reply, "mail.pawsandclaws.example");

        failure.Kind.Should().NotBe(SmtpFailureKind.AuthenticationFailed);
        failure.IsTransient.Should().BeTrue();
    }

    [Fact]
    public void Gmails_temporary_system_problem_under_4_7_0_is_a_passing_fault_and_its_closing_connection_a_throttle()
    {
        Classify(SmtpStage.MailFrom, 421, "421 4.7.0 Temporary System Problem. Try again later.", "smtp.gmail.com")
            .Kind.Should().Be(SmtpFailureKind.Transient);
        Classify(SmtpStage.MailFrom, 421, "421 4.7.0 Try again later, closing connection.", "smtp.gmail.com")
            .QuotaSignal.Should().Be(ProviderQuotaSignal.BackOff);
    }

    [Fact]
    public void A_connect_timeout_names_the_settings_but_lets_the_breaker_probe_again()
    {
        var failure = SmtpFailureClassifier.Classify(new SmtpTransportException(SmtpStage.Connect, null, "Connection timed out", new SocketException((int)SocketError.TimedOut)));

        failure.Kind.Should().Be(SmtpFailureKind.Misconfigured);
        failure.IsAccountLevel.Should().BeTrue();
        failure.IsTransient.Should().BeTrue();
    }

    [Fact]
    public void Host_not_found_and_connection_refused_wait_for_the_settings_to_change()
    {
        foreach (var error in new[] { SocketError.HostNotFound, SocketError.ConnectionRefused })
        {
            var failure = SmtpFailureClassifier.Classify(new SmtpTransportException(SmtpStage.Connect, null, error.ToString(), new SocketException((int)error)));

            failure.Kind.Should().Be(SmtpFailureKind.Misconfigured, error.ToString());
            failure.IsTransient.Should().BeFalse(error.ToString());
        }
    }

    [Fact]
    public void MailKits_status_code_is_used_when_the_transport_gives_none()
    {
        var inner = new SmtpCommandException(SmtpErrorCode.MessageNotAccepted, SmtpStatusCode.ExceededStorageAllocation, "5.3.4 Message size exceeds fixed maximum message size");

        var failure = SmtpFailureClassifier.Classify(new SmtpTransportException(SmtpStage.Data, null, inner.Message, inner));

        failure.StatusCode.Should().Be(552);
        failure.EnhancedStatusCode.Should().Be("5.3.4");
        failure.Kind.Should().Be(SmtpFailureKind.MessageRejected);
    }

    [Theory]
    [InlineData("550 5.4.5 Daily sending quota exceeded", 550, 24 * 60.0)]
    [InlineData("554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException", 554, 24 * 60.0)]
    [InlineData("550 5.7.1 name@icloud.com: You have exceeded your daily sending limit. Please try again later.", 550, 24 * 60.0)]
    [InlineData("450 Mail send limit exceeded.", 450, 60.0)]
    public void A_counted_quota_marks_the_account_exhausted_for_its_window(string reply, int code, double minutes)
    {
        var failure = Classify(SmtpStage.MailFrom, code, reply, null);

        failure.QuotaSignal.Should().Be(ProviderQuotaSignal.Window);
        failure.IsAccountLevel.Should().BeTrue();
        failure.ResetsAfter.Should().Be(TimeSpan.FromMinutes(minutes));
    }

    [Theory]
    [InlineData("421 4.7.0 Try again later, closing connection.", 421, SmtpStage.MailFrom)]
    [InlineData("454 4.7.0 Too many login attempts, please try again later.", 454, SmtpStage.Authenticate)]
    public void Throttling_asks_for_a_short_pause_not_a_day(string reply, int code, SmtpStage stage)
    {
        var failure = Classify(stage, code, reply, "smtp.gmail.com");

        failure.QuotaSignal.Should().Be(ProviderQuotaSignal.BackOff);
        failure.ResetsAfter.Should().BeGreaterThan(TimeSpan.Zero).And.BeLessThanOrEqualTo(TimeSpan.FromMinutes(15));
    }

    [Fact]
    public void Too_many_recipients_is_a_limit_on_the_message_not_the_account()
    {
        var failure = Classify(SmtpStage.RcptTo, 452, "4.5.3 Your message has too many recipients.", "smtp.gmail.com");

        failure.Kind.Should().Be(SmtpFailureKind.SendLimitReached);
        failure.QuotaSignal.Should().Be(ProviderQuotaSignal.RecipientsPerMessage);
        failure.IsProviderQuota.Should().BeFalse();
        failure.IsAccountLevel.Should().BeFalse();
        failure.ResetsAfter.Should().BeNull();
    }

    [Fact]
    public void A_wrong_password_is_not_a_quota()
    {
        var failure = Classify(SmtpStage.Authenticate, 535, "5.7.8 Username and Password not accepted.", "smtp.gmail.com");

        failure.QuotaSignal.Should().Be(ProviderQuotaSignal.None);
        failure.ResetsAfter.Should().BeNull();
    }

    [Fact]
    public void Provider_specific_advice_follows_the_host()
    {
        const string reply = "5.7.3 Authentication unsuccessful";

        Classify(SmtpStage.Authenticate, 535, reply, "smtp-mail.outlook.com").Advice.Should().Contain("OAuth");
        Classify(SmtpStage.Authenticate, 535, reply, "smtp.office365.com").Advice.Should().Contain("Microsoft");
        Classify(SmtpStage.Authenticate, 535, reply, "mail.paws.example").Advice
            .Should().Be("Your SMTP password appears to be wrong: update it in Custom SMTP Configuration.");
    }

    [Fact]
    public void Settings_that_cannot_work_are_misconfigured_for_the_account()
    {
        var failure = SmtpFailureClassifier.Misconfigured(["Smtp.Host is empty: set the SMTP server's host name."]);

        failure.Kind.Should().Be(SmtpFailureKind.Misconfigured);
        failure.IsAccountLevel.Should().BeTrue();
        failure.IsTransient.Should().BeFalse();
        failure.Reply.Should().Contain("Smtp.Host");
    }

    private static SmtpFailure Classify(SmtpStage stage, int code, string reply, string? host) =>
        SmtpFailureClassifier.Classify(new SmtpTransportException(stage, code, reply), host);

    private static void ShouldBe(SmtpFailure failure, SmtpFailureKind kind, bool accountLevel, bool transient, double? resetsAfterMinutes, string adviceMentions)
    {
        failure.Kind.Should().Be(kind, "rule {0} decided", failure.RuleName);
        failure.IsAccountLevel.Should().Be(accountLevel, "rule {0} decided", failure.RuleName);
        failure.IsTransient.Should().Be(transient, "rule {0} decided", failure.RuleName);
        failure.ResetsAfter.Should().Be(resetsAfterMinutes is null ? null : TimeSpan.FromMinutes(resetsAfterMinutes.Value), "rule {0} decided", failure.RuleName);
        failure.Advice.Should().NotBeNullOrWhiteSpace();
        failure.Advice.Should().ContainEquivalentOf(adviceMentions, "rule {0} decided", failure.RuleName);
    }
}
