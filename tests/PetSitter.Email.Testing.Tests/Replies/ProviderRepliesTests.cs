namespace PetSitter.Email.Testing.Tests.Replies;

public class ProviderRepliesTests
{
    // The texts as shared/providers.md records them: continuation lines flattened onto one line.
    public static TheoryData<SmtpReply, string> Documented() => new()
    {
        { ProviderReplies.Gmail.BadCredentials, "535-5.7.8 Username and Password not accepted. Learn more at https://support.google.com/mail/?p=BadCredentials - gsmtp" },
        { ProviderReplies.Gmail.ApplicationSpecificPasswordRequired, "534-5.7.9 Application-specific password required. Learn more at https://support.google.com/mail/?p=InvalidSecondFactor" },
        { ProviderReplies.Gmail.DailyLimitExceeded, "550-5.4.5 Daily user sending limit exceeded. For more information on Gmail sending limits go to https://support.google.com/a/answer/166852 - gsmtp" },
        { ProviderReplies.Gmail.StartTlsRequired, "530 5.7.0 Must issue a STARTTLS command first" },
        { ProviderReplies.Gmail.TooManyRecipients, "452 4.5.3 Your message has too many recipients. For more information regarding Google's sending limits, visit https://support.google.com/mail/answer/6592" },
        { ProviderReplies.Gmail.TryAgainLater, "421 4.7.0 Try again later, closing connection." },
        { ProviderReplies.Microsoft365.AuthenticationUnsuccessful, "535 5.7.3 Authentication unsuccessful" },
        { ProviderReplies.Microsoft365.CredentialsIncorrect, "535 5.7.139 Authentication unsuccessful, the user credentials were incorrect." },
        { ProviderReplies.Microsoft365.SmtpClientAuthenticationDisabled, "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information." },
        { ProviderReplies.Microsoft365.ClientNotAuthenticated, "530 5.7.57 Client not authenticated to send mail" },
        { ProviderReplies.Microsoft365.SubmissionQuotaExceeded, "554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException" },
        { ProviderReplies.Microsoft365.ConcurrentConnectionsLimitExceeded, "432 4.3.2 Concurrent connections limit exceeded." },
    };

    [Theory]
    [MemberData(nameof(Documented))]
    public void Each_reply_says_what_the_provider_sends(SmtpReply reply, string documented)
    {
        // Later lines repeat the enhanced code, as providers send them; the flattened record does not.
        var enhanced = reply.Lines[0].Split(' ')[0];
        var flattened = string.Join(' ', reply.Lines.Select((line, i) => i == 0 ? line : line[(enhanced.Length + 1)..]));
        var separator = reply.Lines.Count > 1 ? '-' : ' ';

        $"{reply.Code}{separator}{flattened}".Should().StartWith(documented);
        reply.Lines.Skip(1).Where(line => !line.StartsWith(enhanced + " ", StringComparison.Ordinal)).Should().BeEmpty();
    }
}
