using MailKit.Net.Smtp;

namespace PetSitter.Email.Tests.Failures;

/// <summary>
/// What the classifier reads when a reply reaches it in less than its full form (without its code, only in MailKit's
/// exception, only as a network error), the limit window a quota reply names, and the words a log or a support
/// person reads for a failure (survivors of the 2026-12-05 run over Failures).
/// </summary>
public sealed class FailureEvidenceEdgeTests
{
    // Replies from /work/shared/providers.md ("Replies, by what they mean"): Gmail's daily limit
    // (https://support.google.com/a/answer/166852), Microsoft 365's submission quota, IONOS's hourly limit.
    public static TheoryData<string, SmtpStage, int, string, LimitWindow?> QuotaReplies() => new()
    {
        { "Gmail", SmtpStage.MailFrom, 550, "5.4.5 Daily user sending limit exceeded. For more information on Gmail sending limits go to https://support.google.com/a/answer/166852 - gsmtp", LimitWindow.MessagesPerDay },
        { "Microsoft 365", SmtpStage.Data, 554, "5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException", null },
        { "IONOS", SmtpStage.MailFrom, 450, "Mail send limit exceeded.", null },
    };

    // MailKit passes some replies on as bare text: an AuthenticationException's message is "535: 5.7.8 ..."
    // (/work/shared/providers.md, "What MailKit 4.x throws"); the multi-line form keeps its "-". Replies: Gmail's rate
    // limit and wrong password (/work/shared/providers.md; https://support.google.com/mail/?p=BadCredentials).
    public static TheoryData<SmtpStage, string, int, SmtpFailureKind> RepliesWithoutTheirCode() => new()
    {
        { SmtpStage.MailFrom, "421 4.7.0 Try again later, closing connection.", 421, SmtpFailureKind.SendLimitReached },
        { SmtpStage.Authenticate, "535: 5.7.8 Username and Password not accepted. Learn more at https://support.google.com/mail/?p=BadCredentials - gsmtp", 535, SmtpFailureKind.AuthenticationFailed },
        { SmtpStage.Authenticate, "535-5.7.8 Username and Password not accepted. Learn more at https://support.google.com/mail/?p=BadCredentials - gsmtp", 535, SmtpFailureKind.AuthenticationFailed },
    };

    [Theory]
    [MemberData(nameof(QuotaReplies))]
    public void A_quota_reply_names_its_limit_window_only_when_it_says_one(string provider, SmtpStage stage, int code, string reply, LimitWindow? window)
    {
        var failure = SmtpFailureClassifier.Classify(new SmtpTransportException(stage, code, reply));

        failure.Kind.Should().Be(SmtpFailureKind.SendLimitReached, provider);
        failure.LimitWindow.Should().Be(window, "{0}'s reply {1}", provider, window is null ? "names no period: no guess" : "names the period");
    }

    [Theory]
    [MemberData(nameof(RepliesWithoutTheirCode))]
    public void A_reply_passed_on_without_its_code_is_still_read_by_its_code(SmtpStage stage, string reply, int code, SmtpFailureKind kind)
    {
        var failure = SmtpFailureClassifier.Classify(new SmtpTransportException(stage, null, reply), "smtp.gmail.com");

        failure.StatusCode.Should().Be(code);
        failure.Kind.Should().Be(kind, "rule {0}", failure.RuleName);
    }

    [Fact]
    public void A_reply_of_its_code_alone_is_read_by_its_code()
    {
        // RFC 5321 section 4.2: a reply line is "Reply-code [ SP textstring ] CRLF", so a server may answer "421" and
        // nothing else; an app's own transport then has only that text to pass on.
        var failure = SmtpFailureClassifier.Classify(new SmtpTransportException(SmtpStage.MailFrom, null, "421"));

        failure.StatusCode.Should().Be(421);
        failure.IsTransient.Should().BeTrue("a 4xx reply is temporary");
    }

    [Fact]
    public void A_closing_reply_passed_on_as_text_keeps_its_code()
    {
        // RFC 5321 section 4.2.2's text for 221, which a server sends when it closes the session on its own.
        var failure = SmtpFailureClassifier.Classify(new SmtpTransportException(SmtpStage.Data, null, "221 mx.example.com Service closing transmission channel"));

        failure.StatusCode.Should().Be(221);
    }

    [Theory]
    [InlineData("100 messages per hour exceeded, try again later")]
    [InlineData("5000 messages per day exceeded")]
    [InlineData("550x mailbox unavailable")]
    public void A_text_that_begins_with_a_number_but_not_a_reply_code_leaves_the_code_unknown(string text)
    {
        // What an app's own transport may pass on from an HTTP mail API: a count at the start of the text is not a
        // reply code (1xx is not a class a failure can have; a code is three digits followed by a space or a hyphen),
        // so a "5000" must not turn into a permanent 500.
        var failure = SmtpFailureClassifier.Classify(new SmtpTransportException(SmtpStage.MailFrom, null, text));

        failure.StatusCode.Should().BeNull();
    }

    [Fact]
    public void An_enhanced_code_alone_is_not_taken_for_a_reply_code()
    {
        var failure = SmtpFailureClassifier.Classify(new SmtpTransportException(SmtpStage.Authenticate, null, "5.7.8 Username and Password not accepted."));

        failure.StatusCode.Should().BeNull("5.7.8 is the enhanced code, not a reply code");
        failure.EnhancedStatusCode.Should().Be("5.7.8");
    }

    [Fact]
    public void A_recipient_refusal_known_only_from_mailkit_is_read_from_mailkit_s_exception()
    {
        // Gmail's unknown recipient (/work/shared/providers.md), as MailKit raises it: the code on the exception, the
        // enhanced code only in its message; the transport passed neither.
        const string reply = "5.1.1 The email account that you tried to reach does not exist.";
        var refused = new SmtpCommandException(
            SmtpErrorCode.RecipientNotAccepted, SmtpStatusCode.MailboxUnavailable, new MimeKit.MailboxAddress("Client", "nobody@example.com"), reply);

        var failure = SmtpFailureClassifier.Classify(new SmtpTransportException(SmtpStage.RcptTo, null, string.Empty, refused), "smtp.gmail.com");

        failure.Kind.Should().Be(SmtpFailureKind.RecipientRejected);
        failure.StatusCode.Should().Be(550);
        failure.EnhancedStatusCode.Should().Be("5.1.1");
        failure.Reply.Should().Be(reply, "with no reply from the transport, the failure shows MailKit's own words");
    }

    [Fact]
    public void The_reply_code_is_the_transport_s_else_mailkit_s_else_the_one_a_reply_text_starts_with()
    {
        // The precedence an app's own transport (ISmtpTransport is public) relies on when what it passes disagrees
        // with what lies under it. Replies from /work/shared/providers.md: Gmail's rate limit and its unknown
        // recipient, the latter as MailKit raises it (the code on the exception, the text without it).
        const string rateLimit = "421 4.7.0 Try again later, closing connection.";
        var refused = new SmtpCommandException(
            SmtpErrorCode.RecipientNotAccepted, SmtpStatusCode.MailboxUnavailable, new MimeKit.MailboxAddress("Client", "nobody@example.com"), "5.1.1 The email account that you tried to reach does not exist.");

        var named = SmtpFailureClassifier.Classify(new SmtpTransportException(SmtpStage.RcptTo, 421, "4.7.0 Try again later, closing connection.", refused), "smtp.gmail.com");
        var fromMailKit = SmtpFailureClassifier.Classify(new SmtpTransportException(SmtpStage.RcptTo, null, rateLimit, refused), "smtp.gmail.com");
        var fromText = SmtpFailureClassifier.Classify(new SmtpTransportException(SmtpStage.RcptTo, null, rateLimit), "smtp.gmail.com");

        named.StatusCode.Should().Be(421, "the transport named the code");
        named.IsTransient.Should().BeTrue("a 421 is read as the rate limit it is, not as the refused recipient under it");
        fromMailKit.StatusCode.Should().Be(550, "without the transport's code, MailKit's comes before the one a text starts with");
        fromText.StatusCode.Should().Be(421);
    }

    [Fact]
    public void A_cause_is_looked_for_sixteen_exceptions_deep_and_no_deeper()
    {
        // The bound on how far the inner exceptions are read (SmtpFailureEvidence.InnerChain): an app's own layers
        // around the socket error that refused the connection.
        static Exception Wrapped(int layers)
        {
            Exception error = new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused);
            for (var i = 0; i < layers; i++)
            {
                error = new InvalidOperationException("The app's mail layer failed.", error);
            }

            return error;
        }

        var sixteenth = SmtpFailureClassifier.Classify(new SmtpTransportException(SmtpStage.Connect, null, "Could not connect.", Wrapped(15)));
        var seventeenth = SmtpFailureClassifier.Classify(new SmtpTransportException(SmtpStage.Connect, null, "Could not connect.", Wrapped(16)));

        sixteenth.RuleName.Should().Be("connection-refused");
        seventeenth.RuleName.Should().NotBe("connection-refused", "the seventeenth exception down is not read");
    }

    [Fact]
    public void A_read_that_timed_out_is_a_timeout_and_a_reset_connection_is_a_network_error()
    {
        // .NET's own wording for a failed read on a socket ("Unable to read data from the transport connection: ...").
        var timedOut = Classify(new IOException("Unable to read data from the transport connection: Connection timed out."));
        var reset = Classify(new IOException("Unable to read data from the transport connection: Connection reset by peer."));

        timedOut.RuleName.Should().Be("timeout");
        timedOut.Advice.Should().Contain("took too long");
        reset.RuleName.Should().Be("network-error");
        reset.Advice.Should().Contain("connection to your email server failed");
    }

    [Fact]
    public void A_dropped_connection_is_named_by_mailkit_s_disconnect_not_by_the_socket_error_under_it()
    {
        var dropped = Classify(new SmtpProtocolException(
            "The SMTP server has unexpectedly disconnected.", new IOException("Unable to read data from the transport connection: Connection reset by peer.")));

        dropped.RuleName.Should().Be("disconnected");
        dropped.Advice.Should().Contain("dropped before the email was sent");
    }

    [Fact]
    public void The_transport_error_says_where_smtp_failed_with_the_server_s_code_and_reply()
    {
        new SmtpTransportException(SmtpStage.Authenticate, 535, "5.7.8 Username and Password not accepted.").Message
            .Should().Be("SMTP failed at Authenticate: 535 5.7.8 Username and Password not accepted.");
        new SmtpTransportException(SmtpStage.Connect, null, "Connection refused").Message
            .Should().Be("SMTP failed at Connect: Connection refused");
    }

    [Fact]
    public void A_failure_written_to_a_log_shows_its_kind_advice_and_what_the_server_said()
    {
        var answered = new SmtpFailure(SmtpFailureKind.AuthenticationFailed, true, false, "Check the password.", SmtpStage.Authenticate, 535, "5.7.8 Username and Password not accepted.");
        var unanswered = new SmtpFailure(SmtpFailureKind.Transient, false, true, "It will be retried.", SmtpStage.Connect, null, "Connection refused");
        var silent = new SmtpFailure(SmtpFailureKind.Transient, false, true, "It will be retried.", SmtpStage.Connect, null, null);

        answered.ToString().Should().Be("AuthenticationFailed: Check the password. (server said 535 5.7.8 Username and Password not accepted.)");
        unanswered.ToString().Should().Be("Transient: It will be retried. (Connection refused)");
        silent.ToString().Should().Be("Transient: It will be retried.");
    }

    [Fact]
    public void A_limit_failure_that_names_no_window_is_refused()
    {
        static SmtpFailure Limit(LimitWindow window) =>
            new(SmtpFailureKind.SendLimitReached, true, true, "Wait.", null, null, null) { LimitWindow = window };

        FluentActions.Invoking(() => Limit(LimitWindow.None)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => Limit((LimitWindow)99)).Should().Throw<ArgumentOutOfRangeException>();
        Limit(LimitWindow.MessagesPerHour).LimitWindow.Should().Be(LimitWindow.MessagesPerHour);
    }

    [Fact]
    public void Settings_that_cannot_work_are_named_in_the_failure_the_owner_sees()
    {
        var failure = SmtpFailureClassifier.Misconfigured(["Smtp.Host is empty: enter your provider's SMTP server.", "Smtp.Port 0 is not a port: use 587 or 465."]);

        failure.Kind.Should().Be(SmtpFailureKind.Misconfigured);
        failure.IsAccountLevel.Should().BeTrue();
        failure.Reply.Should().Be("Smtp.Host is empty: enter your provider's SMTP server. Smtp.Port 0 is not a port: use 587 or 465.");
        SmtpFailureStorage.RuleNameOf(failure).Should().Be("settings-invalid", "a shared breaker stores the rule's name with the failure");
    }

    private static SmtpFailure Classify(Exception inner) =>
        SmtpFailureClassifier.Classify(new SmtpTransportException(SmtpStage.Data, null, string.Empty, inner));
}
