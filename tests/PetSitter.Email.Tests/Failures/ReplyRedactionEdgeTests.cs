using System.Text;
using PetSitter.Email.Tests.Secrets;

namespace PetSitter.Email.Tests.Failures;

/// <summary>
/// Where the reply redactor draws its lines: which base64 words are sign-in payloads, and what it keeps around a
/// hidden secret so the evidence still reads (survivors of the 2026-12-05 run over Failures).
/// </summary>
public sealed class ReplyRedactionEdgeTests
{
    private const string UserName = "owner@pawsandclaws.example";

    // '~' is the last printable ASCII character: a password may end its range.
    private static readonly string TildePassword = TestSecrets.Register("TildePassword", "paws~and~claws-2026");

    [Fact]
    public void A_sign_in_payload_echoed_with_a_tilde_in_the_password_is_hidden()
    {
        var payload = Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{UserName}\0{TildePassword}"));
        var reply = $"5.7.8 Authentication failed for {payload}";

        var failure = SmtpFailureClassifier.Classify(new SmtpTransportException(SmtpStage.Authenticate, 535, reply), "smtp.gmail.com");

        failure.Reply.Should().Be("5.7.8 Authentication failed for ***");
        failure.ToString().Should().NotContain(payload);
    }

    [Fact]
    public void A_hidden_bearer_token_keeps_the_word_bearer_so_the_reply_still_says_what_was_refused()
    {
        SmtpReplyRedactor.Redact($"5.7.8 Token Bearer {TestSecrets.AccessToken} was not accepted")
            .Should().Be("5.7.8 Token Bearer *** was not accepted");
    }

    [Fact]
    public void The_prompt_of_a_LOGIN_sign_in_is_kept_as_it_is_no_secret()
    {
        // AUTH LOGIN's server challenge is base64 of "Username:" (MS-XLOGIN,
        // https://learn.microsoft.com/en-us/openspecs/exchange_server_protocols/ms-xlogin/): it looks like a payload
        // but carries none of the separators of a PLAIN or XOAUTH2 one.
        const string reply = "334 VXNlcm5hbWU6";

        SmtpReplyRedactor.Redact(reply).Should().Be(reply);
        new SmtpTransportException(SmtpStage.Authenticate, null, reply).Reply.Should().Be(reply);
    }
}
