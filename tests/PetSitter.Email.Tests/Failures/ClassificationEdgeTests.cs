using MailKit.Net.Smtp;

namespace PetSitter.Email.Tests.Failures;

/// <summary>
/// What the owner reads for a reply the table names by its enhanced code alone, and how the reason for an assumed
/// provider is shown (survivors of the 2026-12-05 runs over Failures and its rule table).
/// </summary>
public sealed class ClassificationEdgeTests
{
    // Rows of Failures/Corpus/replies.tsv whose only mark is the enhanced code of an unknown or invalid recipient
    // (RFC 3463's X.1.1 bad mailbox, X.1.2 bad system, X.1.3 bad syntax, X.1.6 moved, X.1.10 null MX, X.2.1 mailbox
    // disabled): provider, stage, code, reply text after the code, source.
    public static TheoryData<string, SmtpStage, int, string, string> UnknownRecipients() => new()
    {
        { "Microsoft 365", SmtpStage.RcptTo, 550, "5.1.1 Bad destination mailbox address", "https://learn.microsoft.com/en-us/exchange/mail-flow-best-practices/non-delivery-reports-in-exchange-online/non-delivery-reports-in-exchange-online" },
        { "Gmail", SmtpStage.RcptTo, 553, "5.1.2 We weren't able to find the recipient domain. Please check for any spelling errors, and make sure you didn't enter any spaces, periods, or other punctuation after the recipient's email address.", "https://support.google.com/a/answer/3726730" },
        { "Postfix", SmtpStage.RcptTo, 501, "5.1.3 Bad recipient address syntax", "https://github.com/vdukhovni/postfix/blob/master/postfix/src/smtpd/smtpd.c" },
        { "Exchange Server", SmtpStage.RcptTo, 550, "5.1.6 Recipient addresses in single label domains not accepted", "https://learn.microsoft.com/en-us/exchange/mail-flow/non-delivery-reports-and-bounce-messages/non-delivery-reports-and-bounce-messages" },
        { "Microsoft 365", SmtpStage.RcptTo, 550, "5.1.10 Recipient not found", "https://learn.microsoft.com/en-us/exchange/mail-flow-best-practices/non-delivery-reports-in-exchange-online/non-delivery-reports-in-exchange-online" },
        { "Exchange Server (earlier versions)", SmtpStage.RcptTo, 550, "5.2.1 Mailbox cannot be accessed", "https://github.com/sisimai/rb-sisimai/blob/5-stable/lib/sisimai/rhost/microsoft.rb" },
    };

    [Theory]
    [MemberData(nameof(UnknownRecipients))]
    public void A_recipient_the_server_does_not_know_is_named_as_an_address_that_does_not_exist(string provider, SmtpStage stage, int code, string reply, string source)
    {
        var failure = SmtpFailureClassifier.Classify(new SmtpTransportException(stage, code, reply));

        failure.Kind.Should().Be(SmtpFailureKind.RecipientRejected, "{0} ({1})", provider, source);
        failure.IsAccountLevel.Should().BeFalse();
        failure.Advice.Should().StartWith(
            "The client's email address does not exist or no longer takes email",
            "{0}'s code says the address itself is wrong, more than that the server refused it ({1})", provider, source);
    }

    // Rows of Failures/Corpus/replies.tsv that say the email is too large by their enhanced code alone (RFC 3463's
    // X.3.4 message too big for system, X.2.3 message length exceeds administrative limit): under a 550, or in words
    // other than "size", "too large" or "too big". Provider, code, reply text after the code, source.
    public static TheoryData<string, int, string, string> SizeRefusalsByCode() => new()
    {
        { "Rackspace Email", 550, "5.3.4 Message too large (G17)", "https://github.com/rackerlabs/rackspace-how-to/blob/master/content/rackspace-email/common-email-bounces.md" },
        { "Amazon SES (receiving)", 552, "5.2.3 Message length exceeds limit set by recipient", "https://github.com/sisimai/rb-sisimai/blob/5-stable/set-of-emails/maildir/bsd/lhost-receivingses-08.eml" },
        { "Exchange Server 2007", 550, "5.2.3 RESOLVER.RST.RecipSizeLimit; message too large for this recipient", "https://github.com/sisimai/rb-sisimai/blob/5-stable/lib/sisimai/lhost/exchange2007.rb" },
    };

    [Theory]
    [MemberData(nameof(SizeRefusalsByCode))]
    public void A_size_refusal_named_only_by_its_code_tells_the_owner_the_email_is_too_large(string provider, int code, string reply, string source)
    {
        var failure = SmtpFailureClassifier.Classify(new SmtpTransportException(SmtpStage.Data, code, reply));

        failure.Kind.Should().Be(SmtpFailureKind.MessageRejected, "{0} ({1})", provider, source);
        failure.IsAccountLevel.Should().BeFalse("a smaller email from the account can go");
        failure.IsTransient.Should().BeFalse("the same email would be refused again");
        failure.Advice.Should().StartWith(
            "This email is larger than your email provider accepts",
            "{0}'s code says the message is too big, and the owner can act on that (rule {1}, {2})", provider, failure.RuleName, source);
    }

    [Theory]
    [InlineData(SmtpStage.MailFrom)]
    [InlineData(SmtpStage.RcptTo)]
    public void A_sender_domain_that_does_not_exist_is_the_owners_from_address_even_when_refused_at_rcpt_to(SmtpStage stage)
    {
        // Sendmail's reply (https://github.com/sisimai/rb-sisimai/blob/5-stable/set-of-emails/maildir/bsd/lhost-sendmail-04.eml):
        // at MAIL FROM, or at RCPT TO under FEATURE(`delay_checks'), which runs the sender's checks from check_rcpt
        // (https://www.sendmail.com/sm/open_source/docs/m4/anti_spam.html#delay_check). X.1.8 is the sender's address:
        // read at RCPT TO as the client's, the client's good address would be suppressed and the owner's From left wrong.
        const string reply = "5.1.8 <httpd@host1.mx.example.jp>... Domain of sender address httpd@host1.mx.example.jp does not exist";

        var failure = SmtpFailureClassifier.Classify(new SmtpTransportException(stage, 553, reply));

        failure.Kind.Should().Be(SmtpFailureKind.Misconfigured, "rule {0}", failure.RuleName);
        failure.IsAccountLevel.Should().BeTrue("every email from this From address would be refused");
        failure.Advice.Should().StartWith("Your email account is not allowed to send from this From address");
    }

    [Fact]
    public void A_greeting_too_long_to_show_is_cut_in_the_reason_for_the_assumed_provider()
    {
        // RFC 5321 lets a greeting's text run to 512 octets. The server name is one Exchange Online uses (see
        // ProviderDetectionTests); the rest is filler, not any provider's wording.
        const string named = "220 BN8PR03CA0027.outlook.office365.com ";
        var fits = named + new string('x', 160 - named.Length);
        var tooLong = fits + "y";

        var shown = KnownSmtpProviders.Detect("mail.mybusiness.example", banner: fits);
        var cut = KnownSmtpProviders.Detect("mail.mybusiness.example", banner: tooLong);

        shown.Name.Should().Be("Microsoft 365");
        shown.Because.Should().Be($"the server introduced itself as \"{fits}\"", "160 characters are shown whole");
        cut.Because.Should().Be($"the server introduced itself as \"{fits}...\"", "a longer line is cut at 160 characters and says so");
    }
    [Fact]
    public void A_message_the_library_refused_before_sending_is_about_that_message_only_and_names_its_rule()
    {
        // What the transport throws when the server announced it cannot take the message (SmtpConnection's refusals).
        var refused = new SmtpMessageRefusedException(
            "The server does not accept international addresses (no SMTPUTF8).", "The client's address needs international characters, which your email server cannot send: check the address.", "smtputf8-not-offered");

        var failure = SmtpFailureClassifier.Classify(new SmtpTransportException(SmtpStage.MailFrom, null, refused.Message, refused));

        failure.Kind.Should().Be(SmtpFailureKind.MessageRejected);
        failure.IsAccountLevel.Should().BeFalse("another email from the account can go");
        failure.IsTransient.Should().BeFalse("the same email would be refused again");
        failure.Advice.Should().Be(refused.Advice);
        SmtpFailureStorage.RuleNameOf(failure).Should().Be("smtputf8-not-offered");
    }

    [Fact]
    public void A_refusal_known_only_from_mailkit_is_read_by_the_enhanced_code_in_its_message()
    {
        // Microsoft 365's "550 5.1.10 Recipient not found" (corpus; https://learn.microsoft.com/en-us/exchange/mail-flow-best-practices/non-delivery-reports-in-exchange-online/non-delivery-reports-in-exchange-online)
        // as MailKit raises it: the code on the exception, the enhanced code only in its message.
        var refused = new SmtpCommandException(
            SmtpErrorCode.RecipientNotAccepted, SmtpStatusCode.MailboxUnavailable, new MimeKit.MailboxAddress("Client", "nobody@example.com"), "5.1.10 Recipient not found");

        var failure = SmtpFailureClassifier.Classify(new SmtpTransportException(SmtpStage.RcptTo, null, string.Empty, refused), "smtp.office365.com");

        failure.Kind.Should().Be(SmtpFailureKind.RecipientRejected);
        failure.Advice.Should().StartWith("The client's email address does not exist or no longer takes email");
    }

    [Fact]
    public void A_sender_refusal_mailkit_names_is_read_at_mail_from_though_the_transport_had_reached_rcpt_to()
    {
        // MailKit pipelines MAIL FROM and RCPT TO: its error code says which one was refused. Gmail relay's
        // "550 5.7.1 Invalid credentials for relay." (corpus; https://support.google.com/a/answer/3726730) is about the
        // sender at MAIL FROM (settings), a refusal of the recipient at RCPT TO.
        var refused = new SmtpCommandException(SmtpErrorCode.SenderNotAccepted, SmtpStatusCode.MailboxUnavailable, new MimeKit.MailboxAddress("Paws", "hello@paws.example"), "5.7.1 Invalid credentials for relay.");

        var failure = SmtpFailureClassifier.Classify(new SmtpTransportException(SmtpStage.RcptTo, 550, "5.7.1 Invalid credentials for relay.", refused), "smtp-relay.gmail.com");

        failure.Kind.Should().Be(SmtpFailureKind.Misconfigured, "rule {0}", failure.RuleName);
        failure.IsAccountLevel.Should().BeTrue();
    }

    [Fact]
    public void A_recipient_refusal_mailkit_names_is_read_at_rcpt_to_though_the_transport_had_reached_data()
    {
        // Microsoft 365's "550 5.7.1 Delivery not authorized" at RCPT TO (corpus; https://learn.microsoft.com/en-us/exchange/mail-flow-best-practices/non-delivery-reports-in-exchange-online/non-delivery-reports-in-exchange-online):
        // a refusal of this recipient, where the same code at DATA is a policy refusal of the message.
        var refused = new SmtpCommandException(
            SmtpErrorCode.RecipientNotAccepted, SmtpStatusCode.MailboxUnavailable, new MimeKit.MailboxAddress("Client", "client@example.com"), "5.7.1 Delivery not authorized");

        var failure = SmtpFailureClassifier.Classify(new SmtpTransportException(SmtpStage.Data, 550, "5.7.1 Delivery not authorized", refused), "smtp.office365.com");

        failure.Kind.Should().Be(SmtpFailureKind.RecipientRejected, "rule {0}", failure.RuleName);
    }

    [Fact]
    public void A_transport_error_made_without_details_says_the_server_could_not_be_reached()
    {
        // What a fake transport (or a caller without nullable annotations) may throw.
        var bare = new SmtpTransportException();
        var noReply = new SmtpTransportException(SmtpStage.Data, null, null!);

        bare.Stage.Should().Be(SmtpStage.Connect);
        bare.Reply.Should().Be("The SMTP server could not be reached.");
        noReply.Reply.Should().BeEmpty();
    }
}
