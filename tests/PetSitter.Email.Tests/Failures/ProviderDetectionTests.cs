using PetSitter.Email.Testing;
using PetSitter.Email.Tests.EndToEnd;

namespace PetSitter.Email.Tests.Failures;

/// <summary>
/// Owners put their own host names in front of Microsoft 365 or Google (mail.mybusiness.com): the provider
/// is then recognised from the server's greeting and EHLO, or from the reply's own signature, and its rules
/// read the reply. The outcome says which provider was assumed and why.
/// </summary>
public sealed class ProviderDetectionTests
{
    private const string OwnHost = "mail.mybusiness.example";

    // Greetings and EHLO lines as servers sent them, quoted in public issue threads:
    private const string GmailGreeting = "220 smtp.gmail.com ESMTP x62sm16538695wmf.13 - gsmtp"; // https://github.com/mrisher/smtp-sts/pull/58
    private const string GoogleEhlo = "250-mx.google.com at your service, [203.0.113.7]"; // https://github.com/The-Login/SMTP-Smuggling-Tools/issues/11
    private const string Office365Greeting = "220 xx.outlook.office365.com Microsoft ESMTP MAIL Service ready at Sun, 3 Mar 2024 19:48:18 +0000"; // https://github.com/simonrob/email-oauth2-proxy/issues/232
    private const string ExchangeOnlineMxGreeting = "220 CY1NAM02FT061.mail.protection.outlook.com Microsoft ESMTP MAIL Service ready at Fri, 11 Oct 2019 16:40:13 +0000"; // https://github.com/muquit/mailsend/issues/152
    private const string ExchangeOnlineEhlo = "250-SN1NAM02FT0049.mail.protection.outlook.com Hello [18.209.86.113]"; // https://github.com/ietf-tools/datatracker/pull/5888
    private const string OnPremisesExchangeGreeting = "220 xxxxxx.xxx.local Microsoft ESMTP MAIL Service ready at Tue, 30 Jun 2020 12:32:44 +0200"; // https://github.com/PHPMailer/PHPMailer/issues/2076
    private const string PostfixGreeting = "220 mx.petsitter.test ESMTP Postfix (Debian/GNU)";

    public static TheoryData<string, string?> Banners => new()
    {
        { GmailGreeting, "Gmail" },
        { GoogleEhlo, "Gmail" },
        { Office365Greeting, "Microsoft 365" },
        { ExchangeOnlineMxGreeting, "Microsoft 365" },
        { ExchangeOnlineEhlo, "Microsoft 365" },

        // Exchange on the company's own servers greets in the same words: the words alone prove nothing.
        { OnPremisesExchangeGreeting, null },
        { PostfixGreeting, null },
    };

    [Theory]
    [MemberData(nameof(Banners))]
    public void A_banner_names_the_provider_only_when_the_servers_own_name_or_signature_says(string banner, string? provider)
    {
        var detected = KnownSmtpProviders.Detect(OwnHost, banner: banner);

        detected.Name.Should().Be(provider);
        if (provider is not null)
        {
            detected.Because.Should().Be($"the server introduced itself as \"{banner}\"");
        }
    }

    [Fact]
    public void A_Microsoft_reply_from_an_own_host_name_is_read_by_Microsofts_rules_once_the_greeting_names_Exchange_Online()
    {
        // Microsoft 365's wrong-password reply (shared/providers.md): only Microsoft's rules give Microsoft's advice.
        var unknown = SmtpFailureClassifier.Classify(new SmtpTransportException(SmtpStage.Authenticate, 535, "5.7.3 Authentication unsuccessful"), OwnHost);
        var recognised = SmtpFailureClassifier.Classify(
            new SmtpTransportException(SmtpStage.Authenticate, 535, "5.7.3 Authentication unsuccessful") { ServerBanner = $"{Office365Greeting}\n250-xx.outlook.office365.com Hello [203.0.113.7]" },
            OwnHost);

        unknown.AssumedProvider.Should().BeNull();
        unknown.AssumedProviderBecause.Should().BeNull();
        unknown.Advice.Should().NotContain("Microsoft");

        recognised.Kind.Should().Be(SmtpFailureKind.AuthenticationFailed);
        recognised.RuleName.Should().Be("microsoft-bad-password");
        recognised.Advice.Should().StartWith("Microsoft did not accept your password");
        recognised.AssumedProvider.Should().Be("Microsoft 365");
        recognised.AssumedProviderBecause.Should().Be($"the server introduced itself as \"{Office365Greeting}\"");
    }

    [Fact]
    public void Gmails_534_from_an_own_host_name_asks_for_an_app_password_once_the_greeting_names_Google()
    {
        // When Gmail answers 534 to every mechanism MailKit reports a bare "Authentication failed." with the
        // code (shared/providers.md): "mechanism too weak" in general, "app password required" at Gmail.
        var unknown = SmtpFailureClassifier.Classify(new SmtpTransportException(SmtpStage.Authenticate, 534, "Authentication failed."), OwnHost);
        var recognised = SmtpFailureClassifier.Classify(
            new SmtpTransportException(SmtpStage.Authenticate, 534, "Authentication failed.") { ServerBanner = GmailGreeting },
            OwnHost);

        unknown.RuleName.Should().Be("mechanism-too-weak");
        recognised.RuleName.Should().Be("gmail-mechanism-too-weak");
        recognised.Kind.Should().Be(SmtpFailureKind.ProviderRequirementsChanged);
        recognised.Advice.Should().Contain("app password");
        recognised.AssumedProvider.Should().Be("Gmail");
    }

    [Fact]
    public void A_reply_signature_names_the_provider_when_host_and_banner_do_not()
    {
        const string reply = "5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException"; // shared/providers.md, Microsoft 365

        var failure = SmtpFailureClassifier.Classify(new SmtpTransportException(SmtpStage.Data, 554, reply), OwnHost);

        failure.Kind.Should().Be(SmtpFailureKind.SendLimitReached);
        failure.AssumedProvider.Should().Be("Microsoft 365");
        failure.AssumedProviderBecause.Should().Be("the reply carries Microsoft 365's signature (\"STOREDRV\")");
    }

    [Fact]
    public void The_accounts_named_provider_wins_over_host_banner_and_reply()
    {
        var failure = SmtpFailureClassifier.Classify(
            new SmtpTransportException(SmtpStage.Authenticate, 535, "5.7.3 Authentication unsuccessful") { ServerBanner = GmailGreeting },
            "smtp.gmail.com",
            provider: "microsoft365");

        failure.RuleName.Should().Be("microsoft-bad-password");
        failure.AssumedProvider.Should().Be("Microsoft 365");
        failure.AssumedProviderBecause.Should().Be("the account names its provider \"microsoft365\"");
    }

    [Fact]
    public void The_host_name_wins_over_the_banner_and_is_given_as_the_reason()
    {
        var failure = SmtpFailureClassifier.Classify(
            new SmtpTransportException(SmtpStage.Authenticate, 535, "5.7.3 Authentication unsuccessful") { ServerBanner = GmailGreeting },
            "smtp.office365.com");

        failure.AssumedProvider.Should().Be("Microsoft 365");
        failure.AssumedProviderBecause.Should().Be("the host name smtp.office365.com");
    }

    [Fact]
    public async Task A_send_through_an_own_host_name_in_front_of_Exchange_Online_reports_the_assumed_provider_and_why()
    {
        // The scripted server greets "220 NAME ESMTP ready" and answers EHLO "NAME at your service": NAME is
        // the kind of server name Exchange Online uses (see Office365Greeting).
        await using var server = await ScriptedSmtpServer.StartAsync(new() { ServerName = "BN8PR03CA0027.outlook.office365.com", UserName = "desk@mybusiness.example", Password = "right-password" });
        server.Script = context => context.Stage == SmtpStage.Authenticate ? SmtpReply.Parse("535 5.7.3 Authentication unsuccessful") : null;
        await using var host = new EndToEndHost();
        host.Settings.Set(EndToEndHost.Business("paws", server.CreateAccountSettings("desk@mybusiness.example")));

        var outcome = await host.SendAsync("paws", EmailCategory.Invoice, 1);

        outcome.FailureKind.Should().Be(SmtpFailureKind.AuthenticationFailed);
        outcome.SmtpFailure!.AssumedProvider.Should().Be("Microsoft 365");
        outcome.SmtpFailure.AssumedProviderBecause.Should().Be("the server introduced itself as \"220 BN8PR03CA0027.outlook.office365.com ESMTP ready\"");
        outcome.SmtpFailure.Advice.Should().StartWith("Microsoft did not accept your password");
        host.Health.GetHealth("paws").Advice.Should().StartWith("Microsoft did not accept your password");
    }
}
