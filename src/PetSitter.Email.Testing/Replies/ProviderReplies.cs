namespace PetSitter.Email.Testing;

/// <summary>
/// Replies real providers send, as data for scripts: return one from
/// <see cref="ScriptedSmtpServer.Script"/> at the stage its documentation names.
/// </summary>
/// <remarks>
/// Texts come from providers' documentation and from transcripts users published. Where a provider sends
/// several lines, the line break is placed before the link, as Gmail does; the per-session tokens real
/// servers add (Gmail's <c>x12sm345.67</c>) are left out.
/// </remarks>
public static class ProviderReplies
{
    /// <summary>Replies of Gmail and Google Workspace (smtp.gmail.com).</summary>
    public static class Gmail
    {
        /// <summary>
        /// Wrong user name or password (or a normal password where an app password is needed):
        /// <c>535-5.7.8 Username and Password not accepted. Learn more at</c> /
        /// <c>535 5.7.8 https://support.google.com/mail/?p=BadCredentials - gsmtp</c>. Sent at AUTH.
        /// </summary>
        public static SmtpReply BadCredentials { get; } = new(
            535,
            "5.7.8 Username and Password not accepted. Learn more at",
            "5.7.8 https://support.google.com/mail/?p=BadCredentials - gsmtp");

        /// <summary>
        /// An OAuth2 access token refused at AUTH XOAUTH2 (expired, revoked, or for another scope): Gmail first
        /// answers <c>334</c> with the base64 of <c>{"status":"401","schemes":"Bearer","scope":"https://mail.google.com/"}</c>
        /// (see <see cref="SmtpReply.Challenge"/>), the client sends an empty line, and then comes
        /// <c>535-5.7.8 Username and Password not accepted. Learn more at</c> /
        /// <c>535 5.7.8 https://support.google.com/mail/?p=BadCredentials - gsmtp</c>. Sent at AUTH.
        /// </summary>
        public static SmtpReply AccessTokenRejected { get; } = new(
            535,
            "5.7.8 Username and Password not accepted. Learn more at",
            "5.7.8 https://support.google.com/mail/?p=BadCredentials - gsmtp")
        {
            Challenge = "eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiQmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29vZ2xlLmNvbS8ifQ==",
        };

        /// <summary>
        /// The account has 2-Step Verification and needs an app password:
        /// <c>534-5.7.9 Application-specific password required. Learn more at</c> /
        /// <c>534 5.7.9 https://support.google.com/mail/?p=InvalidSecondFactor - gsmtp</c>. Sent at AUTH.
        /// </summary>
        public static SmtpReply ApplicationSpecificPasswordRequired { get; } = new(
            534,
            "5.7.9 Application-specific password required. Learn more at",
            "5.7.9 https://support.google.com/mail/?p=InvalidSecondFactor - gsmtp");

        /// <summary>
        /// The rolling 24-hour sending limit is used up (a "5" that resets):
        /// <c>550-5.4.5 Daily user sending limit exceeded. For more information on Gmail sending limits go to</c> /
        /// <c>550 5.4.5 https://support.google.com/a/answer/166852 - gsmtp</c>. Sent at MAIL FROM or after the end of DATA.
        /// </summary>
        public static SmtpReply DailyLimitExceeded { get; } = new(
            550,
            "5.4.5 Daily user sending limit exceeded. For more information on Gmail sending limits go to",
            "5.4.5 https://support.google.com/a/answer/166852 - gsmtp");

        /// <summary>
        /// Mail or sign-in attempted before STARTTLS: <c>530 5.7.0 Must issue a STARTTLS command first</c>.
        /// Sent at MAIL FROM or AUTH on a connection that is not encrypted.
        /// </summary>
        public static SmtpReply StartTlsRequired { get; } = new(530, "5.7.0 Must issue a STARTTLS command first");

        /// <summary>
        /// More recipients than Gmail takes in one message (100 over SMTP):
        /// <c>452 4.5.3 Your message has too many recipients. For more information regarding Google's sending limits, visit https://support.google.com/mail/answer/6592</c>.
        /// Sent at RCPT TO for each recipient over the cap.
        /// </summary>
        public static SmtpReply TooManyRecipients { get; } = new(
            452,
            "4.5.3 Your message has too many recipients. For more information regarding Google's sending limits, visit https://support.google.com/mail/answer/6592");

        /// <summary>
        /// Rate limiting: <c>421 4.7.0 Try again later, closing connection.</c> Sent at the greeting or at any
        /// command; the connection closes after it.
        /// </summary>
        public static SmtpReply TryAgainLater { get; } = new(421, "4.7.0 Try again later, closing connection.");
    }

    /// <summary>Replies of Microsoft 365 / Exchange Online (smtp.office365.com).</summary>
    public static class Microsoft365
    {
        /// <summary>Wrong credentials: <c>535 5.7.3 Authentication unsuccessful</c>. Sent at AUTH.</summary>
        public static SmtpReply AuthenticationUnsuccessful { get; } = new(535, "5.7.3 Authentication unsuccessful");

        /// <summary>
        /// An OAuth2 access token refused at AUTH XOAUTH2 (expired, revoked, or without the SMTP.Send permission):
        /// <c>535 5.7.3 Authentication unsuccessful</c>, at once, with no challenge before it. Sent at AUTH.
        /// </summary>
        public static SmtpReply AccessTokenRejected { get; } = new(535, "5.7.3 Authentication unsuccessful");

        /// <summary>
        /// Wrong credentials (newer wording):
        /// <c>535 5.7.139 Authentication unsuccessful, the user credentials were incorrect.</c> Sent at AUTH.
        /// </summary>
        public static SmtpReply CredentialsIncorrect { get; } = new(535, "5.7.139 Authentication unsuccessful, the user credentials were incorrect.");

        /// <summary>
        /// SMTP AUTH is turned off for the tenant (the default for tenants created after January 2020):
        /// <c>535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.</c>
        /// Sent at AUTH.
        /// </summary>
        public static SmtpReply SmtpClientAuthenticationDisabled { get; } = new(
            535,
            "5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.");

        /// <summary>
        /// Mail sent without signing in: <c>530 5.7.57 Client not authenticated to send mail</c>. Sent at MAIL FROM.
        /// </summary>
        public static SmtpReply ClientNotAuthenticated { get; } = new(530, "5.7.57 Client not authenticated to send mail");

        /// <summary>
        /// The rolling 24-hour recipient limit is used up:
        /// <c>554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException</c>. Sent after the end of DATA.
        /// </summary>
        public static SmtpReply SubmissionQuotaExceeded { get; } = new(554, "5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException");

        /// <summary>
        /// More than three connections to one mailbox at once: <c>432 4.3.2 Concurrent connections limit exceeded.</c>
        /// (MailKit names code 432 <c>PasswordTransitionNeeded</c>.) Microsoft does not document the stage; script
        /// it where the test needs it (AUTH or MAIL FROM of the extra connection).
        /// </summary>
        public static SmtpReply ConcurrentConnectionsLimitExceeded { get; } = new(432, "4.3.2 Concurrent connections limit exceeded.");
    }
}
