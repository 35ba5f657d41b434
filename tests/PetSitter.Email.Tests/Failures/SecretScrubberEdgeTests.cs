using System.Text;
using MailKit.Net.Smtp;
using PetSitter.Email.Tests.Secrets;
using MailKitAuthenticationException = MailKit.Security.AuthenticationException;

namespace PetSitter.Email.Tests.Failures;

/// <summary>
/// How the account's own password is taken out of a failure before anything keeps it, and what of the failure
/// survives the cleaning (survivors of the 2026-12-05 run over Failures, with the whole filtered suite).
/// </summary>
public sealed class SecretScrubberEdgeTests
{
    private const string Password = TestSecrets.EchoedPassword;

    [Fact]
    public void A_password_echoed_only_in_the_reply_is_hidden()
    {
        var scrubbed = SmtpSecretScrubber.Scrub(new SmtpTransportException(SmtpStage.Authenticate, 535, $"5.7.8 Bad password {Password}"), Password);

        scrubbed.Reply.Should().Be("5.7.8 Bad password ***");
        scrubbed.Message.Should().NotContain(Password);
    }

    [Fact]
    public void A_password_of_three_characters_is_hidden_and_a_shorter_one_is_not_looked_for()
    {
        // A shorter "secret" would blank out ordinary words: "an" is in "Username and Password".
        const string reply = "5.7.8 Username and Password not accepted.";

        SmtpSecretScrubber.Scrub(new SmtpTransportException(SmtpStage.Authenticate, 535, "5.7.8 Bad password x7q"), "x7q")
            .Reply.Should().Be("5.7.8 Bad password ***");
        SmtpSecretScrubber.Scrub(new SmtpTransportException(SmtpStage.Authenticate, 535, reply), "an")
            .Reply.Should().Be(reply);
    }

    [Fact]
    public void A_failure_that_carries_no_secret_is_passed_on_as_it_is()
    {
        var refused = new SmtpCommandException(SmtpErrorCode.RecipientNotAccepted, SmtpStatusCode.MailboxUnavailable, new MimeKit.MailboxAddress("Client", "nobody@example.com"), "5.1.1 User unknown");
        var failure = new SmtpTransportException(SmtpStage.RcptTo, 550, "5.1.1 User unknown", refused) { RefusedRecipient = "nobody@example.com" };

        SmtpSecretScrubber.Scrub(failure, Password).Should().BeSameAs(failure, "nothing in it needs cleaning, so nothing of it (the refused recipient) is lost");
    }

    [Fact]
    public void A_recipient_refusal_that_echoed_the_password_keeps_its_refused_address()
    {
        // Rebuilt to hide the password, the failure must still say which recipient the server refused: the
        // suppression list blocks that address (and only it) on a permanent refusal.
        var refused = new SmtpCommandException(SmtpErrorCode.RecipientNotAccepted, SmtpStatusCode.MailboxUnavailable, new MimeKit.MailboxAddress("Client", "nobody@example.com"), $"5.1.1 User unknown {Password}");
        var failure = new SmtpTransportException(SmtpStage.RcptTo, 550, $"5.1.1 User unknown {Password}", refused) { RefusedRecipient = "nobody@example.com" };

        var scrubbed = SmtpSecretScrubber.Scrub(failure, Password);

        scrubbed.Should().NotBeSameAs(failure);
        scrubbed.Reply.Should().NotContain(Password);
        scrubbed.RefusedRecipient.Should().Be("nobody@example.com");
    }

    [Fact]
    public void A_sign_in_payload_in_mailkit_s_exception_is_hidden_when_no_password_is_known()
    {
        // An OAuth2 account has no password to look for: the payload is found by its shape alone.
        var payload = Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0owner@pawsandclaws.example\0{Password}"));
        var failure = new SmtpTransportException(SmtpStage.Authenticate, 535, "5.7.8 Authentication failed", new MailKitAuthenticationException($"535: 5.7.8 Authentication failed for {payload}"));

        var scrubbed = SmtpSecretScrubber.Scrub(failure, secret: null);

        scrubbed.InnerException.Should().BeOfType<MailKitAuthenticationException>("classification still reads what MailKit threw");
        scrubbed.InnerException!.Message.Should().Be("535: 5.7.8 Authentication failed for ***");
    }

    [Fact]
    public void A_clean_wrapper_around_an_exception_that_held_the_password_is_dropped_with_it()
    {
        var dirty = new MailKitAuthenticationException($"535: 5.7.8 Bad password {Password}");
        var failure = new SmtpTransportException(SmtpStage.Authenticate, 535, "5.7.8 Bad password", new SmtpProtocolException("The SMTP server has unexpectedly disconnected.", dirty));

        var scrubbed = SmtpSecretScrubber.Scrub(failure, Password);

        Chain(scrubbed).Should().NotContain(e => e.Message.Contains(Password, StringComparison.Ordinal), "a wrapper kept as it was would still hold the original under it");
        scrubbed.InnerException.Should().BeOfType<MailKitAuthenticationException>().Which.Message.Should().Be("535: 5.7.8 Bad password ***");
    }

    [Fact]
    public void A_clean_network_error_under_a_reply_that_held_the_password_is_kept()
    {
        var reset = new IOException("Unable to read data from the transport connection: Connection reset by peer.");
        var failure = new SmtpTransportException(SmtpStage.Authenticate, 535, $"5.7.8 Bad password {Password}", reset);

        var scrubbed = SmtpSecretScrubber.Scrub(failure, Password);

        scrubbed.Reply.Should().Be("5.7.8 Bad password ***");
        scrubbed.InnerException.Should().BeSameAs(reset, "the cause classification reads is not lost with the password");
    }

    [Fact]
    public void A_network_error_that_only_names_the_sign_in_command_keeps_its_cause()
    {
        // "AUTH LOGIN was" has the shape of a sign-in argument, which MailKit's reply-carrying exceptions are cleaned
        // of; any other link is dropped only for the password itself, so the failure still reads as a network error.
        // The message is an app's own transport's wording, not a server's.
        var reset = new IOException("The connection was reset while AUTH LOGIN was in progress.");
        var failure = new SmtpTransportException(SmtpStage.Authenticate, null, "The connection to smtp.example.com:587 failed.", reset);

        var scrubbed = SmtpSecretScrubber.Scrub(failure, Password);

        scrubbed.InnerException.Should().BeSameAs(reset);
        SmtpFailureClassifier.Classify(scrubbed).RuleName.Should().Be("network-error");
    }

    [Fact]
    public void A_network_error_that_echoed_the_password_is_left_out()
    {
        // An app's own transport that quotes the server's last line in its exception.
        var failure = new SmtpTransportException(
            SmtpStage.Authenticate, null, "The connection to smtp.example.com:587 failed.", new IOException($"The server answered 535 5.7.8 Bad password {Password}, then closed the connection."));

        var scrubbed = SmtpSecretScrubber.Scrub(failure, Password);

        Chain(scrubbed).Should().NotContain(e => e.Message.Contains(Password, StringComparison.Ordinal));
    }

    [Fact]
    public void A_dropped_connection_of_an_account_without_a_password_is_passed_on_as_it_is()
    {
        // An OAuth2 account has no password to look for; its failures go through the same cleaning.
        var failure = new SmtpTransportException(
            SmtpStage.Data, null, "The connection to smtp.office365.com:587 failed.", new SmtpProtocolException("The SMTP server has unexpectedly disconnected."));

        SmtpSecretScrubber.Scrub(failure, secret: null).Should().BeSameAs(failure);
    }

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        for (var e = exception.InnerException; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }
}
