using PetSitter.Email.OAuth.Tests.Support;
using PetSitter.Email.OAuth.TestServer;
using PetSitter.Email.Testing;

namespace PetSitter.Email.OAuth.Tests;

/// <summary>A Microsoft 365 password account after Microsoft turns Basic authentication off: the app is told to offer "Connect with Microsoft".</summary>
public sealed class MigrationTests
{
    private const string Business = "paws";
    private const string Mailbox = "owner@contoso.test";

    public static TheoryData<string, string, string> RetirementReplies => new()
    {
        // Microsoft's announcement of the retirement (Exchange Team blog, updated 2026-01-27):
        // https://techcommunity.microsoft.com/blog/exchange/exchange-online-to-retire-basic-auth-for-client-submission-smtp-auth/4114750
        { "basic auth retired", nameof(SmtpStage.Authenticate), "550 5.7.30 Basic authentication is not supported for Client Submission." },
        { "basic auth retired at MAIL FROM", nameof(SmtpStage.MailFrom), "550 5.7.30 Basic authentication is not supported for Client Submission." },

        // SMTP AUTH off for the tenant (shared/providers.md; Microsoft's help link https://aka.ms/smtp_auth_disabled).
        { "SMTP AUTH disabled", nameof(SmtpStage.Authenticate), "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information." },
    };

    [Theory]
    [MemberData(nameof(RetirementReplies))]
    public async Task A_password_account_refused_by_the_retirement_reads_ProviderRequirementsChanged_with_ConnectWithOAuth(string name, string stage, string reply)
    {
        await using var world = await OAuthWorld.StartAsync(TestProviderStyle.Microsoft);
        var scriptedStage = Enum.Parse<SmtpStage>(stage);
        var scripted = SmtpReply.Parse(reply);
        world.Smtp.Script = context => context.Stage == scriptedStage ? scripted : null;
        world.UsePasswordAccount(Business, Mailbox);

        var invoice = await world.SendAsync(Business, EmailCategory.Invoice, 1);

        invoice.FailureKind.Should().Be(SmtpFailureKind.ProviderRequirementsChanged, name);
        invoice.SmtpFailure!.RequiredAction.Should().Be(RequiredAction.ConnectWithOAuth, name);
        invoice.SmtpFailure.Advice.Should().Contain("Microsoft sign-in (OAuth)");
        invoice.Channel.Should().Be(EmailChannel.Native);
        var change = world.HealthChanges.Should().ContainSingle().Which;
        change.RequiredAction.Should().Be(RequiredAction.ConnectWithOAuth);

        // The owner presses "Connect with Microsoft": the same business now sends over XOAUTH2.
        world.Smtp.Script = null;
        await world.ConnectAsync(Business, Mailbox);
        var after = await world.SendAsync(Business, EmailCategory.Invoice, 2);
        after.Channel.Should().Be(EmailChannel.Smtp, after.ToString());
        world.Smtp.AccessTokensReceived.Should().ContainSingle();
    }
}
