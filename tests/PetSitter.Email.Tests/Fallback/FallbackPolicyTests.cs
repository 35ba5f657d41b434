using Microsoft.Extensions.Options;
using static PetSitter.Email.Tests.Support.PolicyTestData;

namespace PetSitter.Email.Tests.Fallback;

public class FallbackPolicyTests
{
    private static FallbackPolicy Policy(FallbackPolicyOptions? options = null) => new(Options.Create(options ?? new FallbackPolicyOptions()));

    [Theory]
    [InlineData(EmailCategory.Quote, false)]
    [InlineData(EmailCategory.Invoice, false)]
    [InlineData(EmailCategory.AccountSummary, false)]
    [InlineData(EmailCategory.SystemNotification, false)]
    [InlineData(EmailCategory.General, false)]
    [InlineData(EmailCategory.Marketing, true)]
    public void By_default_documents_and_general_mail_go_native_and_marketing_waits(EmailCategory category, bool waits)
    {
        Policy().Decide(category, Failure(SmtpFailureKind.AuthenticationFailed)).Should().Be(waits ? FallbackDecision.Defer : FallbackDecision.SendNative);
        new FallbackPolicyOptions().ActionFor(category).Should().Be(waits ? SmtpFallbackAction.Defer : SmtpFallbackAction.SendNative);
    }

    [Theory]
    [InlineData(SmtpFailureKind.AccountUnavailable)]
    [InlineData(SmtpFailureKind.SendLimitReached)]
    [InlineData(SmtpFailureKind.AuthenticationFailed)]
    [InlineData(SmtpFailureKind.CredentialsExpired)]
    [InlineData(SmtpFailureKind.Misconfigured)]
    [InlineData(SmtpFailureKind.ProviderRequirementsChanged)]
    [InlineData(SmtpFailureKind.Transient)]
    public void Account_and_transient_failures_follow_the_categorys_action(SmtpFailureKind kind)
    {
        var policy = Policy();

        policy.Decide(EmailCategory.Invoice, Failure(kind)).Should().Be(FallbackDecision.SendNative);
        policy.Decide(EmailCategory.Marketing, Failure(kind)).Should().Be(FallbackDecision.Defer);
    }

    [Theory]
    [InlineData(SmtpFailureKind.RecipientRejected)]
    [InlineData(SmtpFailureKind.MessageRejected)]
    public void A_failure_of_the_message_itself_never_falls_back(SmtpFailureKind kind)
    {
        var policy = Policy();

        foreach (var category in Enum.GetValues<EmailCategory>())
        {
            policy.Decide(category, Failure(kind, accountLevel: false)).Should().Be(FallbackDecision.Fail, "{0} mail with {1}", category, kind);
        }
    }

    [Theory]
    [InlineData(EmailCategory.Quote, true)]
    [InlineData(EmailCategory.Invoice, true)]
    [InlineData(EmailCategory.AccountSummary, true)]
    [InlineData(EmailCategory.SystemNotification, true)]
    [InlineData(EmailCategory.General, true)]
    [InlineData(EmailCategory.Marketing, false)]
    public void One_message_refused_as_spam_goes_native_unless_it_is_marketing(EmailCategory category, bool native)
    {
        Policy().Decide(category, Failure(SmtpFailureKind.RejectedAsSpam, accountLevel: false)).Should().Be(native ? FallbackDecision.SendNative : FallbackDecision.Fail);
    }

    [Fact]
    public void Marketing_refused_as_spam_fails_even_where_marketing_may_go_native()
    {
        var policy = Policy(new FallbackPolicyOptions { Marketing = SmtpFallbackAction.SendNative, Invoice = SmtpFallbackAction.Defer });

        policy.Decide(EmailCategory.Marketing, Failure(SmtpFailureKind.RejectedAsSpam, accountLevel: false)).Should().Be(FallbackDecision.Fail);
        policy.Decide(EmailCategory.Invoice, Failure(SmtpFailureKind.RejectedAsSpam, accountLevel: false)).Should().Be(FallbackDecision.Fail, "waiting does not change a spam verdict, so a category that waits fails");
    }

    [Fact]
    public void Marketing_paused_by_the_spam_signal_waits_even_where_marketing_may_go_native()
    {
        var signal = Failure(SmtpFailureKind.RejectedAsSpam, accountLevel: true);

        Policy(new FallbackPolicyOptions { Marketing = SmtpFallbackAction.SendNative }).Decide(EmailCategory.Marketing, signal).Should().Be(FallbackDecision.Defer);
        Policy().Decide(EmailCategory.Marketing, signal).Should().Be(FallbackDecision.Defer);
    }

    [Fact]
    public void Spam_refusals_marked_account_level_follow_the_category()
    {
        Policy().Decide(EmailCategory.Invoice, Failure(SmtpFailureKind.RejectedAsSpam, accountLevel: true)).Should().Be(FallbackDecision.SendNative);
    }

    [Fact]
    public void A_configured_action_replaces_the_default()
    {
        var policy = Policy(new FallbackPolicyOptions { Invoice = SmtpFallbackAction.Defer, Marketing = SmtpFallbackAction.SendNative });

        policy.Decide(EmailCategory.Invoice, Failure(SmtpFailureKind.SendLimitReached)).Should().Be(FallbackDecision.Defer);
        policy.Decide(EmailCategory.Marketing, Failure(SmtpFailureKind.SendLimitReached)).Should().Be(FallbackDecision.SendNative);
        policy.Decide(EmailCategory.Quote, Failure(SmtpFailureKind.SendLimitReached)).Should().Be(FallbackDecision.SendNative);
    }

    [Fact]
    public void ActionFor_names_the_categories_when_given_an_undefined_one()
    {
        var act = () => new FallbackPolicyOptions().ActionFor((EmailCategory)42);

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*Marketing, General, Quote, Invoice, AccountSummary or SystemNotification*");
    }
}
