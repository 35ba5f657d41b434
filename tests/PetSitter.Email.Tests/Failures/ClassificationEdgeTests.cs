namespace PetSitter.Email.Tests.Failures;

/// <summary>
/// What the owner reads for a reply the table names by its enhanced code alone, and how the reason for an assumed
/// provider is shown (survivors of the 2026-12-05 runs over Failures and its rule table).
/// </summary>
public sealed class ClassificationEdgeTests
{
    // Rows of Failures/Corpus/replies.tsv whose only mark is the enhanced code of an unknown or invalid recipient
    // (RFC 3463's X.1.1 bad mailbox, X.1.2 bad system, X.1.3 bad syntax, X.1.6 moved, X.1.10 null MX): provider,
    // stage, code, reply text after the code, source.
    public static TheoryData<string, SmtpStage, int, string, string> UnknownRecipients() => new()
    {
        { "Microsoft 365", SmtpStage.RcptTo, 550, "5.1.1 Bad destination mailbox address", "https://learn.microsoft.com/en-us/exchange/mail-flow-best-practices/non-delivery-reports-in-exchange-online/non-delivery-reports-in-exchange-online" },
        { "Gmail", SmtpStage.RcptTo, 553, "5.1.2 We weren't able to find the recipient domain. Please check for any spelling errors, and make sure you didn't enter any spaces, periods, or other punctuation after the recipient's email address.", "https://support.google.com/a/answer/3726730" },
        { "Postfix", SmtpStage.RcptTo, 501, "5.1.3 Bad recipient address syntax", "https://github.com/vdukhovni/postfix/blob/master/postfix/src/smtpd/smtpd.c" },
        { "Exchange Server", SmtpStage.RcptTo, 550, "5.1.6 Recipient addresses in single label domains not accepted", "https://learn.microsoft.com/en-us/exchange/mail-flow/non-delivery-reports-and-bounce-messages/non-delivery-reports-and-bounce-messages" },
        { "Microsoft 365", SmtpStage.RcptTo, 550, "5.1.10 Recipient not found", "https://learn.microsoft.com/en-us/exchange/mail-flow-best-practices/non-delivery-reports-in-exchange-online/non-delivery-reports-in-exchange-online" },
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
}
