using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PetSitter.Email.Tests.Support;
using static PetSitter.Email.Tests.Support.PolicyTestData;

namespace PetSitter.Email.Tests.Health;

/// <summary>
/// What <see cref="ILocalAccountBreaker.CountSignals"/> promises a shared breaker: the signals are read only from
/// failures that are not account-level (an account-level failure neither counts nor clears them), and a spam refusal
/// counts whether or not it says at which stage it was refused (a stored failure may come back without one).
/// </summary>
public sealed class CountSignalsContractTests
{
    private const string Business = "paws";
    private const string Credentials = "FINGERPRINT-1";
    private readonly FakeTimeProvider _time = new(Start);

    // Gmail's 421 at the greeting, as in AccountHealthTrackerTests (providers.md, Gmail SMTP error reference:
    // https://support.google.com/a/answer/3726730).
    private static readonly SmtpFailure GreetingRefused = new(
        SmtpFailureKind.Transient, false, true, SmtpFailureAdvice.For(SmtpFailureKind.Transient), SmtpStage.Greeting, 421, "4.3.0 Temporary System Problem. Try again later");

    private DateTimeOffset Now => _time.GetUtcNow();

    private AccountHealthTracker Breaker() =>
        new AccountHealthTracker(Options.Create(new AccountHealthOptions()), _time, TestLogging.For<AccountHealthTracker>());

    [Fact]
    public void An_account_level_failure_past_the_greeting_neither_counts_nor_clears_the_greeting_refusals()
    {
        var breaker = Breaker();
        for (var i = 1; i < AccountHealthTracker.GreetingRefusalCount; i++)
        {
            breaker.CountSignals(Business, Credentials, GreetingRefused, Now);
        }

        // Gmail's daily limit at MAIL FROM (providers.md, "daily quota" row; https://support.google.com/a/answer/166852):
        // the account's own limit, past the greeting, handed to the signals as a shared breaker hands every failure.
        var dailyLimit = SmtpFailureClassifier.Classify(
            new SmtpTransportException(SmtpStage.MailFrom, 550, "5.4.5 Daily user sending limit exceeded. For more information on Gmail sending limits go to https://support.google.com/a/answer/166852 - gsmtp"),
            "smtp.gmail.com");
        dailyLimit.IsAccountLevel.Should().BeTrue("the reply is about the account's quota");
        breaker.CountSignals(Business, Credentials, dailyLimit, Now).Should().BeSameAs(dailyLimit, "signals are read only from failures that are not account-level");

        breaker.CountSignals(Business, Credentials, GreetingRefused, Now).Kind
            .Should().Be(SmtpFailureKind.AccountUnavailable, "the account-level failure did not start the count of 421s at the greeting again");
    }

    [Fact]
    public void A_spam_refusal_stored_without_its_stage_still_counts_towards_the_marketing_pause()
    {
        var breaker = Breaker();

        // A shared breaker rebuilds the failures it stored; one stored without the stage comes back without it. Gmail's
        // spam refusal (https://support.google.com/a/answer/3726730, Failures/Corpus/replies.tsv).
        var refused = SmtpFailureStorage.Restore(
            SmtpFailureKind.RejectedAsSpam, isAccountLevel: false, isTransient: false, advice: null, stage: null, statusCode: 550,
            reply: "5.7.1 Our system has detected that this message is likely unsolicited mail. To reduce the amount of spam sent to Gmail, this message has been blocked.",
            resetsAfter: null, quotaSignal: 0, limitWindow: null, ruleName: null);
        for (var i = 0; i < AccountHealthTracker.SpamSignalCount; i++)
        {
            breaker.CountSignals(Business, Credentials, refused, Now);
        }

        var gate = breaker.Check(Business, Credentials, Now);
        gate.For(EmailCategory.Marketing).IsAllowed.Should().BeFalse("three refusals as spam within the hour pause marketing");
        gate.For(EmailCategory.Invoice).IsAllowed.Should().BeTrue();
        breaker.GetHealth(Business).Kind.Should().Be(SmtpFailureKind.RejectedAsSpam);
    }
}
