using System.Text;
using MailKit.Security;

namespace PetSitter.Email.Tests.Failures;

public class SmtpFailureSecretsTests
{
    private const string UserName = "owner@pawsandclaws.example";
    private const string Password = "Tr0ub4dor&3-horse";
    private const string AccessToken = "ya29.a0AfH6SMBx3Gq9ZkLw7pQ";

    private static readonly string PlainPayload = Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{UserName}\0{Password}"));
    private static readonly string XOAuth2Payload = Convert.ToBase64String(Encoding.UTF8.GetBytes($"user={UserName}\u0001auth=Bearer {AccessToken}\u0001\u0001"));

    public static TheoryData<string> EchoingReplies() => new()
    {
        $"5.5.2 Invalid AUTH PLAIN {PlainPayload} rejected",
        $"5.7.8 Authentication failed for {PlainPayload}",
        $"5.7.8 Bad XOAUTH2 response: {XOAuth2Payload}",
        $"5.7.8 Token Bearer {AccessToken} was not accepted",
        $"5.7.8 Rejected credentials={PlainPayload}",
    };

    [Theory]
    [InlineData("450 4.7.1 Error: too many AUTH commands from 127.0.0.1")]
    [InlineData("535 5.5.4 Optional Argument not permitted for that AUTH mode.")]
    [InlineData("501 5.5.4 Syntax: AUTH mechanism")]
    public void Words_after_AUTH_that_are_no_mechanism_are_kept(string reply)
    {
        // Postfix's anvil reply (issue 12): "from" was taken for the secret after a mechanism called "commands".
        SmtpReplyRedactor.Redact(reply).Should().Be(reply);
        new SmtpTransportException(SmtpStage.Authenticate, 450, reply).Reply.Should().Be(reply);
    }

    [Fact]
    public void An_AUTH_argument_after_a_real_mechanism_is_still_hidden()
    {
        SmtpReplyRedactor.Redact("501 5.5.2 Invalid AUTH LOGIN hunter2-not-base64 rejected")
            .Should().Be("501 5.5.2 Invalid AUTH LOGIN *** rejected");
    }

    [Theory]
    [MemberData(nameof(EchoingReplies))]
    public void A_secret_echoed_by_the_server_never_reaches_the_failure(string reply)
    {
        var exception = new SmtpTransportException(SmtpStage.Authenticate, 535, reply, new AuthenticationException($"535: {reply}"));

        var failure = SmtpFailureClassifier.Classify(exception, "smtp.gmail.com");

        foreach (var shown in new[] { failure.Reply!, failure.Advice, failure.ToString(), exception.Message, exception.Reply })
        {
            shown.Should().NotContainAny(Password, PlainPayload, XOAuth2Payload, AccessToken);
        }

        failure.Kind.Should().Be(SmtpFailureKind.AuthenticationFailed);
        failure.Reply.Should().Contain("***");
    }

    [Theory]
    [InlineData("5.7.9 Application-specific password required. Learn more at https://support.google.com/mail/?p=InvalidSecondFactor")]
    [InlineData("5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException")]
    [InlineData("5.7.14 <https://accounts.google.com/signin/continue?sarp=1&scc=1&plt=AKgnsbsKzyKvYdRvF2p8> Please log in via your web browser")]
    [InlineData("Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.")]
    public void Replies_without_secrets_are_kept_as_they_are(string reply) =>
        SmtpReplyRedactor.Redact(reply).Should().Be(reply);

    [Fact]
    public void A_failure_made_from_invalid_settings_never_shows_the_password()
    {
        var settings = new SmtpAccountSettings { Host = "not a host!", UserName = UserName, Password = Password, FromAddress = "nope" };

        var failure = SmtpFailureClassifier.Misconfigured(settings.Validate("Smtp."));

        failure.ToString().Should().NotContain(Password);
        failure.Advice.Should().NotContain(Password);
    }

    [Fact]
    public void No_advice_in_the_table_can_carry_a_secret()
    {
        // Advice is fixed text chosen by the rule, never built from the reply or the settings.
        var failure = SmtpFailureClassifier.Classify(
            new SmtpTransportException(SmtpStage.Authenticate, 535, $"5.7.8 {Password} not accepted"), "smtp.gmail.com");

        failure.Advice.Should().NotContain(Password);
        SmtpFailureRules.All.Select(r => r.Advice).Should().NotContain(a => a != null && a.Contains(Password, StringComparison.Ordinal));
    }
}
