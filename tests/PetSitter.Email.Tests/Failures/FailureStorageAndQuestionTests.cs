namespace PetSitter.Email.Tests.Failures;

/// <summary>
/// A failure a shared store wrote down comes back as the library made it, and every failure names the help-centre
/// question it answers, word for word (survivors and no coverage of the 2026-12-05 run over Failures: the Redis
/// tests are the only other callers of <see cref="SmtpFailureStorage"/>).
/// </summary>
public sealed class FailureStorageAndQuestionTests
{
    // Gmail's daily limit (/work/shared/providers.md; https://support.google.com/a/answer/166852).
    private const string GmailDailyLimit = "5.4.5 Daily user sending limit exceeded. For more information on Gmail sending limits go to https://support.google.com/a/answer/166852 - gsmtp";

    public static TheoryData<SmtpFailureKind, string> Questions() => new()
    {
        { SmtpFailureKind.AccountUnavailable, "Is your personal email account working?" },
        { SmtpFailureKind.SendLimitReached, "Does your email provider impose an email limit?" },
        { SmtpFailureKind.AuthenticationFailed, "Is your email password correct?" },
        { SmtpFailureKind.CredentialsExpired, "Is your email password correct?" },
        { SmtpFailureKind.Misconfigured, "Are your SMTP Configuration settings correct?" },
        { SmtpFailureKind.ProviderRequirementsChanged, "Has your email provider made changes to their SMTP connection requirements?" },
        { SmtpFailureKind.RejectedAsSpam, "Has your client marked your emails as spam or junk?" },
        { SmtpFailureKind.RecipientRejected, "Is the client's email address correct?" },
        { SmtpFailureKind.MessageRejected, "Did the email provider accept this message?" },
        { SmtpFailureKind.Transient, "Is your email provider reachable right now?" },
    };

    [Fact]
    public void A_stored_limit_comes_back_with_its_quota_signal_window_and_rule()
    {
        var failure = SmtpFailureClassifier.Classify(new SmtpTransportException(SmtpStage.MailFrom, 550, GmailDailyLimit), "smtp.gmail.com");

        var restored = Restore(failure, SmtpFailureStorage.QuotaSignalOf(failure), failure.Advice);

        restored.IsProviderQuota.Should().BeTrue("the store gave back the signal that holds the account until the reset");
        SmtpFailureStorage.QuotaSignalOf(restored).Should().Be(SmtpFailureStorage.QuotaSignalOf(failure));
        SmtpFailureStorage.RuleNameOf(restored).Should().Be("gmail-daily-limit");
        restored.LimitWindow.Should().Be(LimitWindow.MessagesPerDay);
        restored.ResetsAfter.Should().Be(TimeSpan.FromHours(24));
        restored.Advice.Should().Be(failure.Advice, "stored advice is shown as it was given");
    }

    [Fact]
    public void A_quota_signal_this_version_does_not_know_reads_as_none()
    {
        var failure = SmtpFailureClassifier.Classify(new SmtpTransportException(SmtpStage.MailFrom, 550, GmailDailyLimit), "smtp.gmail.com");

        var restored = Restore(failure, quotaSignal: 99, failure.Advice);

        restored.IsProviderQuota.Should().BeFalse();
        SmtpFailureStorage.QuotaSignalOf(restored).Should().Be(0, "an unknown number is stored back as none, not passed on");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void A_stored_failure_without_advice_gets_the_advice_for_its_kind(string? advice)
    {
        var restored = SmtpFailureStorage.Restore(
            SmtpFailureKind.AuthenticationFailed, true, false, advice, SmtpStage.Authenticate, 535, "5.7.8 Username and Password not accepted.", null, 0, null, "gmail-bad-password");

        restored.Advice.Should().Be("Your SMTP password appears to be wrong: update it in Custom SMTP Configuration.");
    }

    [Fact]
    public void A_kind_this_version_does_not_know_still_reads_as_a_failure_with_words_for_the_owner()
    {
        // A store shared with a newer version of the library may hold a kind this one has no name for.
        var restored = SmtpFailureStorage.Restore((SmtpFailureKind)99, false, true, null, SmtpStage.Data, 451, "4.3.0 Try again later", null, 0, null, null);

        restored.Advice.Should().Be("Sending through your email account failed.");
        restored.Question.Should().Be("What went wrong with SMTP?");
    }

    [Theory]
    [MemberData(nameof(Questions))]
    public void Every_failure_names_the_help_centre_question_it_answers(SmtpFailureKind kind, string question)
    {
        var failure = SmtpFailureStorage.Restore(kind, false, false, null, SmtpStage.Data, null, null, null, 0, null, null);

        failure.Question.Should().Be(question);
    }

    private static SmtpFailure Restore(SmtpFailure failure, int quotaSignal, string advice) =>
        SmtpFailureStorage.Restore(
            failure.Kind, failure.IsAccountLevel, failure.IsTransient, advice, failure.Stage, failure.StatusCode, failure.Reply,
            failure.ResetsAfter, quotaSignal, failure.LimitWindow, SmtpFailureStorage.RuleNameOf(failure));
}
