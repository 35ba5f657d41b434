namespace PetSitter.Email.Failures;

/// <summary>
/// The classification table, as data. Rows are tried in order and the first match wins, so specific
/// replies (a provider's quota under a 5xx, a "sender not owned" under 5.7.1) come before the general
/// meaning of their codes, and the reply's class digit is only the last resort. docs/failure-handling.md
/// explains each decision; the tests hold one example per row.
/// </summary>
internal static class SmtpFailureRules
{
    /// <summary>Gmail, Microsoft, Outlook.com and iCloud count a rolling day; 24 hours is the longest it can take.</summary>
    public static readonly TimeSpan DailyWindow = TimeSpan.FromHours(24);

    /// <summary>IONOS counts by the hour.</summary>
    public static readonly TimeSpan HourlyWindow = TimeSpan.FromHours(1);

    /// <summary>
    /// A provider throttling us publishes no figure: long enough that reconnecting does not prolong the
    /// throttle, short enough that deferred mail waits minutes, not hours.
    /// </summary>
    public static readonly TimeSpan RateBackOff = TimeSpan.FromMinutes(5);

    /// <summary>Sign-in throttles last longer than send throttles, and each retry is another bad login.</summary>
    public static readonly TimeSpan LoginBackOff = TimeSpan.FromMinutes(15);

    private const SmtpFailureKind Unavailable = SmtpFailureKind.AccountUnavailable;
    private const SmtpFailureKind Limit = SmtpFailureKind.SendLimitReached;
    private const SmtpFailureKind BadLogin = SmtpFailureKind.AuthenticationFailed;
    private const SmtpFailureKind Expired = SmtpFailureKind.CredentialsExpired;
    private const SmtpFailureKind Settings = SmtpFailureKind.Misconfigured;
    private const SmtpFailureKind Requirements = SmtpFailureKind.ProviderRequirementsChanged;
    private const SmtpFailureKind Spam = SmtpFailureKind.RejectedAsSpam;
    private const SmtpFailureKind Recipient = SmtpFailureKind.RecipientRejected;
    private const SmtpFailureKind Message = SmtpFailureKind.MessageRejected;
    private const SmtpFailureKind Glitch = SmtpFailureKind.Transient;

    // Flag pairs, named so each row reads as a sentence.
    private const bool Account = true;
    private const bool ThisMessage = false;
    private const bool Passes = true;
    private const bool Stays = false;

    // Sign-in kinds are read only up to AUTH: once the server has accepted the sign-in, no later reply can
    // mean the password or the sign-in method is wrong (Yahoo's "554 5.7.9 ... policy reasons" at DATA is not
    // RFC 4954's "mechanism too weak").
    private static readonly SmtpStage[] UpToSignIn =
        [SmtpStage.Connect, SmtpStage.Tls, SmtpStage.Greeting, SmtpStage.Ehlo, SmtpStage.Authenticate];

    // The owner's account is named before any recipient is: from RCPT TO on, "this account has been
    // disabled" is the client's mailbox unless the reply says it is the sender's.
    private static readonly SmtpStage[] BeforeRecipients =
        [SmtpStage.Greeting, SmtpStage.Ehlo, SmtpStage.Authenticate, SmtpStage.MailFrom];

    private static readonly SmtpStage[] RecipientOrMessage = [SmtpStage.RcptTo, SmtpStage.Data];

    private static readonly KnownSmtpProvider[] Microsoft = [KnownSmtpProvider.Microsoft365, KnownSmtpProvider.OutlookCom];

    /// <summary>Gets the table, in the order rows are tried. The last row matches anything.</summary>
    public static IReadOnlyList<ClassificationRule> All { get; } =
    [
        // ---- The message's fate is unknown: never resent, whatever else is true.
        new("after-data-uncertain", Glitch, ThisMessage, Passes)
        {
            Stages = [SmtpStage.AfterData],
            Advice = "The connection to your email server was lost just as the email was handed over, so it may or may not have been sent: it was not sent again, to avoid a duplicate. Check your Sent folder.",
        },

        // ---- Provider quotas. Providers put these under 5xx (and under 5.7.1): they come first.
        new("gmail-daily-limit", Limit, Account, Passes)
        {
            Enhanced = ["5.4.5"], Text = ["limit", "quota"],
            Quota = ProviderQuotaSignal.Window, ResetsAfter = DailyWindow,
            Advice = "Gmail's daily sending limit for your account has been reached: emails will go out through your account again when the limit resets (Gmail counts the last 24 hours).",
        },
        new("microsoft-submission-quota", Limit, Account, Passes)
        {
            Text = ["SubmissionQuotaExceeded", "submission quota"],
            Quota = ProviderQuotaSignal.Window, ResetsAfter = DailyWindow,
            Advice = "Microsoft's daily sending limit for your mailbox has been reached: emails will go out through your account again when the limit resets, within 24 hours.",
        },
        new("outlook-refuse-quota", Limit, Account, Passes)
        {
            Text = ["RefuseQuota"],
            Quota = ProviderQuotaSignal.Window, ResetsAfter = DailyWindow,
            Advice = $"Outlook.com has stopped your account sending for now (its daily limit is lower for new or unverified accounts): sign in at {SmtpProviderCatalogue.OutlookComWebSignIn} and complete any verification it asks for; emails will go out again when the limit resets, within 24 hours.",
        },
        new("icloud-daily-limit", Limit, Account, Passes)
        {
            Text = ["exceeded your daily sending limit"],
            Quota = ProviderQuotaSignal.Window, ResetsAfter = DailyWindow,
            Advice = "iCloud Mail's daily sending limit has been reached: emails will go out through your account again when the limit resets, within 24 hours.",
        },
        new("hourly-send-limit", Limit, Account, Passes)
        {
            Text = ["mail send limit exceeded", "hourly"], AlsoText = ["limit", "quota"],
            Quota = ProviderQuotaSignal.Window, ResetsAfter = HourlyWindow,
            Advice = "Your email provider's hourly sending limit has been reached: emails will go out through your account again within the hour.",
        },
        // A server's rate limit on the client (Postfix's anvil, Yahoo's volume deferral): "too many recipients
        // FROM 127.0.0.1" counts the client's recipients per minute, not this message's; "too many connections
        // from" is anvil's connection rate or count per client, which an immediate retry would only feed. Read
        // before the per-message recipient rows and the connection-cap row, and never retried at once.
        new("client-rate-limit", Limit, Account, Passes)
        {
            CodeClass = 4, Text = ["too much mail from", "too many recipients from", "too many messages from", "too many connections from", "too many new TLS sessions", "unexpected volume or user complaints"],
            Quota = ProviderQuotaSignal.BackOff, ResetsAfter = RateBackOff,
            Advice = RateLimited,
        },
        new("too-many-recipients-code", Limit, ThisMessage, Stays)
        {
            Enhanced = ["*.5.3"],
            Quota = ProviderQuotaSignal.RecipientsPerMessage,
            Advice = TooManyRecipients,
        },
        new("too-many-recipients-text", Limit, ThisMessage, Stays)
        {
            Text = ["too many recipients", "RecipLimit"],
            Quota = ProviderQuotaSignal.RecipientsPerMessage,
            Advice = TooManyRecipients,
        },
        // Throttling, read before the generic "temporary" texts: "temporarily rate limited" is a throttle.
        new("login-throttle", Limit, Account, Passes)
        {
            Text = ["too many login attempts", "too many authentication", "too many failed login", "too many AUTH commands"],
            CodeClass = 4,
            Quota = ProviderQuotaSignal.BackOff, ResetsAfter = LoginBackOff,
            Advice = "Your email provider is refusing sign-ins for a while after too many attempts: sending will resume by itself. If this keeps happening, check that no other app or device is still using an old password for this account.",
        },
        new("gmail-rate-limit", Limit, Account, Passes)
        {
            // Only this wording: Gmail's "421 4.7.0 Temporary System Problem. Try again later." is a passing fault.
            Codes = [421], Enhanced = ["4.7.0"], Text = ["try again later, closing connection"],
            Quota = ProviderQuotaSignal.BackOff, ResetsAfter = RateBackOff,
            Advice = RateLimited,
        },
        new("rate-limit", Limit, Account, Passes)
        {
            CodeClass = 4, Text = ["rate limit", "too many messages", "sending rate", "submission rate", "rate exceeded", "unusual rate", "relay limit", "Access denied, please try again later"],
            Quota = ProviderQuotaSignal.BackOff, ResetsAfter = RateBackOff,
            Advice = RateLimited,
        },
        new("temporary-system-problem", Glitch, ThisMessage, Passes)
        {
            CodeClass = 4, Text = ["temporary system problem", "temporarily", "server busy", "system busy", "temporary"],
        },
        new("concurrent-connections", Glitch, ThisMessage, Passes)
        {
            // 432 is "password transition needed" in MailKit's enum; Microsoft uses it for its cap of 3 connections.
            Text = ["concurrent connections", "too many connections", "too many concurrent"],
            Advice = "Too many connections to your mailbox were open at once: the email will be retried.",
        },
        // Mailbox storage (the owner's or the client's) is not a sending quota, though its texts say
        // "quota": read it before the generic quota texts.
        new("sender-mailbox-full", Unavailable, Account, Stays)
        {
            Text = ["ShutoffQuotaExceeded", "Submission.Exception:QuotaExceeded"],
            Advice = "Your mailbox is full, so your provider will not send from it: delete old emails (including Sent Items) or add storage, and sending will resume.",
        },
        new("recipient-mailbox-full", Recipient, ThisMessage, Passes)
        {
            CodeClass = 4, Stages = [SmtpStage.RcptTo, SmtpStage.Data], Enhanced = ["*.2.2"],
            Advice = RecipientMailboxFull,
        },
        new("recipient-mailbox-full-permanent", Recipient, ThisMessage, Stays)
        {
            CodeClass = 5, Stages = [SmtpStage.RcptTo, SmtpStage.Data], Enhanced = ["*.2.2"],
            Advice = RecipientMailboxFull,
        },
        // The client's mailbox takes mail more slowly than it arrives. Gmail says so under 5.2.1, the code its
        // disabled accounts use: read before "recipient-unknown", or a good address would be suppressed for good.
        new("recipient-receiving-too-fast", Recipient, ThisMessage, Stays)
        {
            CodeClass = 5, Stages = RecipientOrMessage, Text = ["receiving mail at a rate", "message receive limit"],
            Advice = "The client's mailbox is receiving more email than its provider lets through right now, so it refused this one; the address is fine: send the email again in an hour or so.",
        },
        // A provider we have no row for that names a sending limit: a day for a 5xx, an hour for a 4xx.
        new("daily-limit-text", Limit, Account, Passes)
        {
            CodeClass = 5, Text = ["sending limit", "send limit", "sending quota", "daily limit", "daily quota", "email quota exceeded"],
            Quota = ProviderQuotaSignal.Window, ResetsAfter = DailyWindow,
        },
        new("hourly-limit-text", Limit, Account, Passes)
        {
            CodeClass = 4, Text = ["sending limit", "send limit", "sending quota"],
            Quota = ProviderQuotaSignal.Window, ResetsAfter = HourlyWindow,
        },

        // ---- Connection requirements the settings do not meet.
        // The library's own refusal (SmtpSecurityMapping.PlainAuthenticationRefused), not the server's: the owner's
        // settings chose an unencrypted connection, so it reads as settings, never as "your provider requires".
        new("library-refuses-plain-authentication", Settings, Account, Stays)
        {
            Stages = [SmtpStage.Authenticate], Text = ["refusing to send the password over an unencrypted connection"],
            Advice = "The connection to your email server is not encrypted, and Pet Sitter Plus never sends your password over an unencrypted connection: set Security to STARTTLS (port 587) or SSL/TLS (port 465) in Custom SMTP Configuration.",
        },
        new("starttls-required", Requirements, Account, Stays)
        {
            Text = ["must issue a STARTTLS", "STARTTLS is required", "STARTTLS required", "TLS required", "encryption required", "requires TLS"],
            Advice = StartTlsRequired,
        },
        new("encryption-required-code", Requirements, Account, Stays)
        {
            Enhanced = ["*.7.11"],
            Advice = StartTlsRequired,
        },
        new("microsoft-smtp-auth-disabled", Requirements, Account, Stays)
        {
            RequiredAction = RequiredAction.ConnectWithOAuth,
            Text = ["SmtpClientAuthentication is disabled"],
            Advice = "Microsoft 365 has SMTP sign-in (SMTP AUTH) turned off for your mailbox: ask your Microsoft 365 administrator to turn on Authenticated SMTP for this mailbox (see https://aka.ms/smtp_auth_disabled), or connect with Microsoft sign-in (OAuth) in Custom SMTP Configuration.",
        },
        new("outlook-basic-auth-disabled", Requirements, Account, Stays)
        {
            RequiredAction = RequiredAction.ConnectWithOAuth,
            Providers = [KnownSmtpProvider.OutlookCom], Text = ["basic authentication"],
            Advice = OutlookComOAuthOnly,
        },
        new("microsoft-basic-auth-disabled", Requirements, Account, Stays)
        {
            RequiredAction = RequiredAction.ConnectWithOAuth,
            Text = ["basic authentication is disabled", "basic auth is disabled"],
            Advice = "Microsoft no longer accepts a password for SMTP on your account (basic authentication is turned off): connect with Microsoft sign-in (OAuth) in Custom SMTP Configuration, or ask your Microsoft 365 administrator whether SMTP AUTH can be allowed for this mailbox.",
        },
        new("microsoft-basic-auth-retired", Requirements, Account, Stays)
        {
            RequiredAction = RequiredAction.ConnectWithOAuth,
            // Gmail uses 5.7.30 for "DKIM does not pass": the code alone is not Microsoft's retirement.
            Enhanced = ["5.7.30"], Text = ["basic auth"],
            Advice = "Microsoft no longer accepts a password for SMTP on your account (basic authentication is turned off): connect with Microsoft sign-in (OAuth) in Custom SMTP Configuration, or ask your Microsoft 365 administrator whether SMTP AUTH can be allowed for this mailbox.",
        },
        new("microsoft-security-policy", Requirements, Account, Stays)
        {
            RequiredAction = RequiredAction.ConnectWithOAuth,
            Text = ["security defaults", "did not meet the criteria to be authenticated"],
            Advice = "Your Microsoft 365 organisation's security settings block signing in to SMTP with a password: ask your administrator to allow SMTP AUTH for this mailbox, or connect with Microsoft sign-in (OAuth) in Custom SMTP Configuration.",
        },
        new("password-expired", Expired, Account, Stays)
        {
            Stages = UpToSignIn,
            Text = ["password expired", "password has expired", "password is expired", "expired password"],
            Advice = "Your email password has expired: change it with your email provider, then enter the new one in Custom SMTP Configuration.",
        },
        new("gmail-web-sign-in", Requirements, Account, Stays)
        {
            Stages = UpToSignIn,
            Text = ["log in via your web browser", "log in with your web browser", "web browser and then try again"],
            Advice = $"Google has blocked the sign-in until you sign in to your Google account in a web browser: sign in at {SmtpProviderCatalogue.GoogleWebSignIn} and confirm any security check, then create an app password in your Google account and enter it in Custom SMTP Configuration.",
        },
        new("gmail-app-password", Requirements, Account, Stays)
        {
            Stages = UpToSignIn,
            Text = ["application-specific password", "InvalidSecondFactor"],
            Advice = GmailAppPassword,
        },
        new("gmail-mechanism-too-weak", Requirements, Account, Stays)
        {
            // 534 is "mechanism too weak" in MailKit's enum; Gmail uses it for "app password required".
            Providers = [KnownSmtpProvider.Gmail], Codes = [534], Stages = UpToSignIn,
            Advice = GmailAppPassword,
        },
        new("mechanism-too-weak", Requirements, Account, Stays)
        {
            Codes = [534], Stages = UpToSignIn,
            Advice = MechanismRefused,
        },
        new("mechanism-too-weak-code", Requirements, Account, Stays)
        {
            Enhanced = ["*.7.9"], Stages = UpToSignIn,
            Advice = MechanismRefused,
        },

        // ---- Not signed in, or signed in as someone who may not use this sender.
        // A recipient that takes mail only from its own organisation or group says "sender was not
        // authenticated": the client's restriction, not our sign-in. Read before the sign-in texts.
        new("recipient-restricts-senders", Recipient, ThisMessage, Stays)
        {
            CodeClass = 5, Stages = RecipientOrMessage,
            Text = ["not authenticated by organization", "not authenticated for group", "not authenticated for mailbox", "not authenticated for public folder", "Sender was not authenticated", "not in allowed-senders list"],
            Advice = "The client's address accepts email only from certain senders (for example, only from inside its own organisation): contact the client another way, or ask them to allow your address.",
        },
        new("not-authenticated", Settings, Account, Stays)
        {
            Enhanced = ["5.7.57"],
            Advice = NeedsSignIn,
        },
        new("authentication-required", Settings, Account, Stays)
        {
            CodeClass = 5, Text = ["not authenticated", "authentication required", "authentication is required", "must authenticate"],
            Advice = NeedsSignIn,
        },
        new("authentication-required-code", Settings, Account, Stays)
        {
            Codes = [530],
            Advice = NeedsSignIn,
        },
        new("godaddy-inbound-server", Settings, Account, Stays)
        {
            // GoDaddy's inbound servers refuse every sign-in: the password may be right, the server is wrong.
            Text = ["IBSMTP"],
            Advice = $"Your email settings point at GoDaddy's incoming mail server, which does not accept sign-ins for sending: set the SMTP server to {SmtpProviderCatalogue.GoDaddySmtpHost} in Custom SMTP Configuration.",
        },
        new("microsoft-send-as-denied", Settings, Account, Stays)
        {
            Text = ["SendAsDenied"],
            Advice = SenderNotAllowed,
        },
        new("microsoft-send-as", Settings, Account, Stays)
        {
            Enhanced = ["5.7.60"],
            Advice = SenderNotAllowed,
        },
        new("sender-not-allowed", Settings, Account, Stays)
        {
            CodeClass = 5,
            Text = ["send as this sender", "not owned by user", "sender address rejected", "relaying disallowed as", "not allowed to send as", "from address not verified", "sender not allowed"],
            Advice = SenderNotAllowed,
        },
        new("relay-denied", Settings, Account, Stays)
        {
            CodeClass = 5, Text = ["relay access denied", "relaying denied", "relay not permitted", "relaying not allowed", "unable to relay", "relay denied"],
            Advice = "Your email server refused to pass the email on (relaying denied): check that the user name, password and security settings in Custom SMTP Configuration are for this server.",
        },

        // ---- Wrong password (after every "the password is fine but..." row above).
        // ---- OAuth2: the token was refused even after a refresh, or none could be had. Below the
        // requirement rows, so "SMTP AUTH disabled for the tenant" keeps its own advice.
        // The token service was down or slow: nothing is wrong with the grant, so nobody is asked to reconnect.
        new("access-token-service-unavailable", Glitch, ThisMessage, Passes)
        {
            Cause = SmtpFailureCause.AccessTokenUnavailable,
            Advice = "Your email provider's sign-in service did not answer in time, so no access token could be had: sending will be retried, and important emails go out another way meanwhile.",
        },
        new("access-token-expired", Expired, Account, Stays)
        {
            Cause = SmtpFailureCause.AccessToken,
            RequiredAction = RequiredAction.Reconnect,
            Advice = "Your mailbox's sign-in was revoked or has expired (for example after a password change): reconnect your mailbox, that is, reconnect your email account in Custom SMTP Configuration by signing in with your email provider again.",
        },

        new("yahoo-bad-password", BadLogin, Account, Stays)
        {
            Stages = UpToSignIn, CodeClass = 5,
            Text = ["#AUTH005"],
            Advice = YahooAppPassword,
        },
        new("yahoo-bad-password-host", BadLogin, Account, Stays)
        {
            Stages = UpToSignIn,
            Providers = [KnownSmtpProvider.Yahoo, KnownSmtpProvider.Aol], Codes = [535],
            Advice = YahooAppPassword,
        },
        new("gmail-bad-password", BadLogin, Account, Stays)
        {
            Stages = UpToSignIn, CodeClass = 5,
            Text = ["BadCredentials"],
            Advice = GmailBadPassword,
        },
        new("gmail-bad-password-host", BadLogin, Account, Stays)
        {
            Stages = UpToSignIn,
            Providers = [KnownSmtpProvider.Gmail], Codes = [535],
            Advice = GmailBadPassword,
        },
        new("outlook-bad-password", BadLogin, Account, Stays)
        {
            Stages = UpToSignIn,
            Providers = [KnownSmtpProvider.OutlookCom], Codes = [535],
            Advice = OutlookComOAuthOnly,
        },
        new("microsoft-bad-password", BadLogin, Account, Stays)
        {
            Stages = UpToSignIn,
            Providers = Microsoft, Codes = [535],
            Advice = "Microsoft did not accept your password: update it in Custom SMTP Configuration. If your account signs in with a code or the Authenticator app, ask your administrator whether SMTP AUTH with a password is allowed for your mailbox.",
        },
        new("bad-password", BadLogin, Account, Stays)
        {
            Codes = [535], Stages = UpToSignIn,
        },
        new("bad-password-code", BadLogin, Account, Stays)
        {
            // A 4xx is never a wrong password: the server did not judge it (Postfix's anvil refuses AUTH
            // before Dovecot sees the password).
            Enhanced = ["*.7.8"], CodeClass = 5, Stages = UpToSignIn,
        },

        // ---- The account itself cannot send.
        new("microsoft-restricted-sender", Unavailable, Account, Stays)
        {
            Text = ["Bad outbound sender"],
            Advice = "Microsoft has blocked your account from sending (it was flagged as a restricted sender, usually after suspected spam or a stolen password): sign in to your mailbox, change your password, and ask your Microsoft 365 administrator to release the account.",
        },
        new("unusual-activity", Unavailable, Account, Stays)
        {
            Text = ["unusual sending activity", "unusual activity", "suspicious activity"],
            Advice = "Your email provider has blocked sending after unusual activity on your account: sign in to your email account in a web browser and follow its steps to unblock it.",
        },
        new("microsoft-sender-banned", Unavailable, Account, Stays)
        {
            // Exchange Online's bans of the sending account or the whole tenant (5.7.501-511, 5.7.700-750):
            // no message from the account will go until the administrator has it released.
            Text = ["spam abuse detected", "banned sender", "tenant has exceeded threshold", "traffic not accepted from this IP", "blocked from sending from unregistered domain"],
            Advice = "Microsoft has banned your mailbox or your organisation from sending (usually after spam was sent from it, often through a stolen password): change the password, then ask your Microsoft 365 administrator to have the sending ban lifted. Emails go out through the platform until then.",
        },
        new("outlook-outbound-spam", Unavailable, Account, Stays)
        {
            Text = ["OutboundSpamException"],
            Advice = $"Outlook.com has restricted sending from your account: sign in at {SmtpProviderCatalogue.OutlookComWebSignIn} and follow its instructions (it may ask you to verify your account).",
        },
        new("account-disabled", Unavailable, Account, Stays)
        {
            Stages = BeforeRecipients,
            Text = ["account", "mailbox"], AlsoText = ["disabled", "suspended", "blocked", "locked", "deactivated", "not active", "inactive"],
        },
        new("sender-account-disabled", Unavailable, Account, Stays)
        {
            Stages = [SmtpStage.Data],
            Text = ["your account", "sender account", "sending account"], AlsoText = ["disabled", "suspended", "blocked", "locked", "deactivated", "not active", "inactive"],
        },
        new("recipient-gone", Recipient, ThisMessage, Stays)
        {
            // The client's mailbox, in the words Yahoo, AOL, iCloud and Postfix use at RCPT TO or DATA.
            CodeClass = 5, Stages = RecipientOrMessage,
            Text = ["account has been disabled", "disabled or discontinued", "is no longer valid", "user doesn't have a", "mailbox not found", "mailbox is disabled", "no longer on server", "inactive email address", "no valid recipients", "Recipient address rejected", "account that you tried to reach"],
            Advice = RecipientGone,
        },

        // ---- This message, or this recipient.
        // The library builds the message: a server calling it malformed is our defect to surface, not spam.
        // Read before the spam texts (Gmail's wording says "to reduce the amount of spam").
        new("malformed-message", Message, ThisMessage, Stays)
        {
            CodeClass = 5, Stages = [SmtpStage.Data],
            Text = ["RFC 5322", "RFC 2822", "Message-ID", "From: header", "malformed", "duplicate headers", "Encoded-word", "disallowed header", "bare line feed", "Invalid characters", "header value", "Blank From:", "as a From: Address"],
            Advice = "The email provider refused this email as badly formed (a header it requires is missing or invalid): this is a fault in how the email was built, not in your settings; it has been reported so it can be fixed.",
        },

        new("message-too-large", Message, ThisMessage, Stays)
        {
            Enhanced = ["*.3.4", "*.2.3"],
            Advice = MessageTooLarge,
        },
        new("message-too-large-text", Message, ThisMessage, Stays)
        {
            Codes = [552, 554], Text = ["size", "too large", "too big"],
            Advice = MessageTooLarge,
        },
        new("international-address", Message, ThisMessage, Stays)
        {
            Cause = SmtpFailureCause.NotSupported, Text = ["SMTPUTF8", "8BITMIME", "BINARYMIME"],
            Advice = "Your email server cannot send this email as it is (an address or part of it needs an extension the server lacks, such as international characters): check the client's address.",
        },
        new("spam", Spam, ThisMessage, Stays)
        {
            CodeClass = 5, Text = ["spam", "unsolicited", "junk", "blocklist", "block list", "blacklist", "reputation", "phish", "content filter", "policy reasons", "banned sending IP"],
            Advice = SpamRejected,
        },
        new("recipient-unknown", Recipient, ThisMessage, Stays)
        {
            CodeClass = 5, Enhanced = ["*.1.1", "*.1.2", "*.1.3", "*.1.6", "*.1.10", "*.2.1"],
            Advice = RecipientGone,
        },
        new("sender-address-invalid", Settings, Account, Stays)
        {
            CodeClass = 5, Enhanced = ["*.1.7", "*.1.8"],
            Advice = SenderNotAllowed,
        },
        new("policy-at-data", Spam, ThisMessage, Stays)
        {
            // "*.7" is every security or policy status, 5.7.1 among them.
            CodeClass = 5, Stages = [SmtpStage.Data], Enhanced = ["*.7"],
            Advice = SpamRejected,
        },
        new("policy-at-sender", Settings, Account, Stays)
        {
            CodeClass = 5, Stages = [SmtpStage.MailFrom], Enhanced = ["*.7.1"],
            Advice = SenderNotAllowed,
        },

        // Any other refusal of AUTH: before the exception rows, as MailKit wraps these replies in AuthenticationException.
        new("5xx-auth-command-refused", Requirements, Account, Stays)
        {
            CodeClass = 5, Stages = [SmtpStage.Authenticate], Codes = [500, 501, 502, 503, 504],
            Advice = MechanismRefused,
        },
        new("5xx-at-authenticate", BadLogin, Account, Stays)
        {
            CodeClass = 5, Stages = [SmtpStage.Authenticate],
        },

        // ---- No reply to go on: what the network or MailKit threw.
        new("host-not-found", Settings, Account, Stays)
        {
            Cause = SmtpFailureCause.HostNotFound,
            Advice = HostNotFound,
        },
        new("host-not-found-text", Settings, Account, Stays)
        {
            Text = ["Failed to resolve host", "No such host", "Name or service not known"],
            Advice = HostNotFound,
        },
        new("connection-refused-after-answering", Glitch, ThisMessage, Passes)
        {
            Cause = SmtpFailureCause.RefusedAfterAnswering,
            Advice = "Your email server refused the connection although it accepted connections shortly before: it is probably restarting, and sending will be retried.",
        },
        new("connection-refused", Settings, Account, Stays)
        {
            Cause = SmtpFailureCause.ConnectionRefused,
            Advice = "The SMTP server refused the connection on this port: check the port in Custom SMTP Configuration (usually 587 for STARTTLS or 465 for SSL/TLS).",
        },
        new("connect-timeout", Settings, Account, Passes)
        {
            // A wrong or firewalled port and a server that is down look the same: the advice names
            // the settings, the flags let the breaker probe again rather than wait for an edit.
            Cause = SmtpFailureCause.Timeout, Stages = [SmtpStage.Connect],
            Advice = "The SMTP server did not answer: check the server name and port in Custom SMTP Configuration (usually 587 or 465). If they are right, the server may be down and sending will be retried.",
        },
        new("greeting-timeout", Settings, Account, Passes)
        {
            // STARTTLS settings against port 465 (or none against 465) wait for a greeting the
            // server will never send: it is waiting for a TLS handshake.
            Cause = SmtpFailureCause.Timeout, Stages = [SmtpStage.Greeting, SmtpStage.Tls],
            Advice = "The SMTP server accepted the connection but never answered: this usually means the security setting does not match the port (SSL/TLS for port 465, STARTTLS for port 587). Check Custom SMTP Configuration; sending will be retried.",
        },
        new("tls-version-refused", Requirements, Account, Stays)
        {
            Cause = SmtpFailureCause.TlsHandshake, Text = ["alert protocol version"],
            Advice = "Your email server refused this app's encryption version (TLS): check your provider's current SMTP settings, or ask your provider whether it supports TLS 1.2 or later.",
        },
        new("tls-certificate", Settings, Account, Stays)
        {
            Cause = SmtpFailureCause.TlsCertificate,
            Advice = "Your email server's security certificate is not trusted (expired, self-signed or issued for another name): check that the server name is exactly the one your provider gives, or ask your provider to fix its certificate.",
        },
        new("tls-handshake", Settings, Account, Stays)
        {
            Cause = SmtpFailureCause.TlsHandshake,
            Advice = "The secure connection to your email server failed: the security setting probably does not match the port. Use SSL/TLS with port 465, or STARTTLS with port 587, in Custom SMTP Configuration.",
        },
        new("starttls-not-offered", Requirements, Account, Stays)
        {
            Cause = SmtpFailureCause.NotSupported, Text = ["STARTTLS"],
            Advice = "Your email server no longer offers an encrypted connection (STARTTLS) on this port: check your provider's current SMTP settings (often SSL/TLS on port 465) and update Custom SMTP Configuration.",
        },
        new("auth-not-offered", Requirements, Account, Stays)
        {
            Text = ["does not support authentication", "No compatible authentication mechanisms"],
            Advice = "Your email server did not offer a way to sign in on this connection: check the security setting (SSL/TLS on port 465, STARTTLS on port 587) in Custom SMTP Configuration, and whether your provider now requires a different sign-in.",
        },
        new("not-authenticated-exception", Settings, Account, Stays)
        {
            Cause = SmtpFailureCause.NotAuthenticated,
            Advice = NeedsSignIn,
        },
        new("sign-in-refused-gmail", BadLogin, Account, Stays)
        {
            // MailKit's bare "Authentication failed." when every mechanism was refused: on Gmail
            // that is a normal password where an app password is needed.
            Cause = SmtpFailureCause.Authentication, Providers = [KnownSmtpProvider.Gmail],
            Advice = GmailBadPassword,
        },
        new("sign-in-refused", BadLogin, Account, Stays)
        {
            Cause = SmtpFailureCause.Authentication,
        },
        new("disconnected", Glitch, ThisMessage, Passes)
        {
            Cause = SmtpFailureCause.Disconnected,
            Advice = "The connection to your email server dropped before the email was sent: it will be retried.",
        },
        new("timeout", Glitch, ThisMessage, Passes)
        {
            Cause = SmtpFailureCause.Timeout,
            Advice = "Your email server took too long to answer: the email will be retried.",
        },
        new("network-error", Glitch, ThisMessage, Passes)
        {
            Cause = SmtpFailureCause.NetworkError,
            Advice = "The connection to your email server failed: the email will be retried.",
        },

        // ---- Last resort: the class digit, read per stage.
        new("any-4xx", Glitch, ThisMessage, Passes)
        {
            CodeClass = 4,
        },
        new("5xx-at-mail-from", Settings, Account, Stays)
        {
            CodeClass = 5, Stages = [SmtpStage.MailFrom],
            Advice = SenderNotAllowed,
        },
        new("5xx-at-rcpt-to", Recipient, ThisMessage, Stays)
        {
            CodeClass = 5, Stages = [SmtpStage.RcptTo],
        },
        new("5xx-at-data", Message, ThisMessage, Stays)
        {
            CodeClass = 5, Stages = [SmtpStage.Data],
        },
        new("5xx-at-greeting", Unavailable, Account, Stays)
        {
            CodeClass = 5, Stages = [SmtpStage.Greeting],
            Advice = "Your email server refused the connection: check that you can send from your account in your email client, and that the server name in Custom SMTP Configuration is right.",
        },
        new("5xx-other", Settings, Account, Stays)
        {
            CodeClass = 5,
        },
        new("unrecognised", Glitch, ThisMessage, Passes)
        {
            Advice = "Sending through your email account failed for a reason the server did not explain: the email will be retried.",
        },
    ];

    private const string TooManyRecipients = "This email has more recipients than your email provider accepts in one message: send it to fewer recipients at a time.";
    private const string RateLimited = "Your email provider is slowing down emails sent from your account: sending will resume by itself in a few minutes.";
    private const string StartTlsRequired = "Your email provider requires an encrypted connection: set Security to STARTTLS (port 587) or SSL/TLS (port 465) in Custom SMTP Configuration.";
    private const string GmailAppPassword = "Gmail now requires an app password (or signing in with Google) for SMTP: create an app password in your Google account and enter it in Custom SMTP Configuration.";
    private const string GmailBadPassword = "Gmail did not accept your password: for SMTP, Gmail needs an app password, not your normal Google password. Create an app password in your Google account (Security, 2-Step Verification, App passwords) and enter it in Custom SMTP Configuration.";
    private const string YahooAppPassword = "Your password was not accepted: Yahoo and AOL need an app password for SMTP, not your normal password, and repeated failures block sign-in for a while. Create an app password in your account's security settings and enter it in Custom SMTP Configuration.";
    private const string OutlookComOAuthOnly = "Outlook.com and Hotmail stopped accepting passwords for SMTP in September 2024 and now only accept Microsoft sign-in (OAuth): connect your account with Microsoft sign-in, or send through another email account, in Custom SMTP Configuration.";
    private const string MechanismRefused = "Your email provider no longer accepts this way of signing in: it may now require an app password or signing in with the provider's own account (OAuth). Check its current SMTP instructions and update Custom SMTP Configuration.";
    private const string NeedsSignIn = "Your email server requires you to sign in before sending: enter your email user name and password in Custom SMTP Configuration.";
    private const string SenderNotAllowed = "Your email account is not allowed to send from this From address: set the sender address to the address of the mailbox you sign in with (or get permission to send as it) in Custom SMTP Configuration.";
    private const string MessageTooLarge = "This email is larger than your email provider accepts: send smaller attachments (for example a link instead of a large file).";
    private const string SpamRejected = "Your email provider refused this email as likely spam: check its wording and links, and ask your clients to save your address as a safe sender so your emails keep reaching them.";
    private const string RecipientMailboxFull = "The client's mailbox is full, so the email could not be delivered: contact the client another way, or try again later.";
    private const string RecipientGone = "The client's email address does not exist or no longer takes email: check the address on the client's record.";
    private const string HostNotFound = $"The SMTP server name could not be found: check the server name in Custom SMTP Configuration (for example {SmtpProviderCatalogue.GmailSmtpHost}).";
}
