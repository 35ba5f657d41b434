namespace PetSitter.Email;

internal static class SmtpFailureAdvice
{
    public static string For(SmtpFailureKind kind) => kind switch
    {
        SmtpFailureKind.AccountUnavailable => "Your email account is not working: check that you can send from it in your email client (web email, Outlook etc.).",
        SmtpFailureKind.SendLimitReached => "Your email provider's sending limit has been reached: emails will go out again when the limit resets.",
        SmtpFailureKind.AuthenticationFailed => "Your SMTP password appears to be wrong: update it in Custom SMTP Configuration.",
        SmtpFailureKind.CredentialsExpired => "Your email sign-in has expired: reconnect your email account in Custom SMTP Configuration.",
        SmtpFailureKind.Misconfigured => "Your SMTP Configuration settings look wrong: check the server, port, security and sender address in Custom SMTP Configuration.",
        SmtpFailureKind.ProviderRequirementsChanged => "Your email provider has changed its requirements for a secure SMTP connection: check its current settings (app password, OAuth or TLS) and update Custom SMTP Configuration.",
        SmtpFailureKind.RejectedAsSpam => "Your email was treated as spam or junk: ask your client to save your address as a safe sender.",
        SmtpFailureKind.RecipientRejected => "The client's email address was refused: check the address on the client's record.",
        SmtpFailureKind.MessageRejected => "The email provider refused this message (for example, it is too large): check its attachments.",
        SmtpFailureKind.Transient => "Your email provider had a temporary problem: the email will be retried.",
        _ => "Sending through your email account failed.",
    };
}
