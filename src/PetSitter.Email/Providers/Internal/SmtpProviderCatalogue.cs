namespace PetSitter.Email.Providers;

/// <summary>
/// The one place provider knowledge lives: each provider's hosts, fingerprints, send-limit presets, connection
/// requirements and help links (<see cref="SmtpProvider"/>), and the one lookup by name, host, banner or reply.
/// Send limits (<see cref="ProviderPresets"/>, <see cref="SmtpAccountSettings"/>), classification
/// (<see cref="KnownSmtpProviders"/> and the rules' provider conditions), diagnostics
/// (<see cref="ProviderRequirements"/>) and telemetry all ask it, so a host recognised by one is recognised by all.
/// Facts from shared/providers.md and the providers' pages quoted in each preset's source.
/// </summary>
internal static partial class SmtpProviderCatalogue
{
    /// <summary>Google's SMTP host, the example the settings' error texts give.</summary>
    public const string GmailSmtpHost = "smtp.gmail.com";

    /// <summary>Where a Google account is signed in to in a browser (the web-login block's way out).</summary>
    public const string GoogleWebSignIn = "mail.google.com";

    /// <summary>Where an Outlook.com account is signed in to in a browser.</summary>
    public const string OutlookComWebSignIn = "outlook.com";

    /// <summary>GoDaddy's outgoing server, the one to use instead of its inbound servers.</summary>
    public const string GoDaddySmtpHost = "smtpout.secureserver.net";

    private const string GooglePacingNote =
        "2 messages per second is our own pacing, not a Google figure: Google publishes no rate, but answers bursts with "
        + "\"421 4.7.0 Try again later, closing connection\".";

    private const string NoPublishedLimits = "No published sending limits were found.";

    private const string NoLimitSet =
        "No limit is set; the provider's own quota reply still holds the account until it resets. Set the limits you know.";

    private static readonly (int, SmtpSecurity)[] Both = [(465, SmtpSecurity.ImplicitTls), (587, SmtpSecurity.StartTls)];
    private static readonly (int, SmtpSecurity)[] StartTlsOnly = [(587, SmtpSecurity.StartTls)];
    private static readonly (int, SmtpSecurity)[] ImplicitOnly = [(465, SmtpSecurity.ImplicitTls)];

    /// <summary>Gets Gmail and Google Workspace: they share <c>smtp.gmail.com</c>, so one provider with two presets.</summary>
    public static SmtpProvider Google { get; } = new(
        KnownSmtpProvider.Gmail,
        "Gmail",
        [GmailSmtpHost, "smtp.googlemail.com", "smtp-relay.gmail.com"],
        ["gmail.com", "googlemail.com", "google.com"],
        [
            new(
                "Gmail",
                new SendLimits { MessagesPerSecond = 2, MessagesPerDay = 500, RecipientsPerMessage = 100 },
                "About 500 messages per rolling day from third-party reports (Google publishes no figure for personal accounts over SMTP); "
                + "100 recipients per message over SMTP. Google's too-many-recipients reply points to https://support.google.com/mail/answer/6592.",
                false,
                "Shares smtp.gmail.com with Google Workspace; detection picks Gmail, the stricter, so a Workspace account sets Provider = \"Google Workspace\". "
                + GooglePacingNote + " At 2/s the 500 take about 4 minutes, so the pacing never costs daily capacity."),
            new(
                "Google Workspace",
                new SendLimits { MessagesPerSecond = 2, MessagesPerDay = 2_000, RecipientsPerDay = 3_000, RecipientsPerMessage = 100 },
                "Google Workspace Admin Help, \"Gmail sending limits in Google Workspace\" (https://support.google.com/a/answer/166852): "
                + "2,000 messages per rolling day (500 on trial accounts), 10,000 recipients in total and 3,000 external recipients per day, 100 recipients per message over SMTP.",
                true,
                "RecipientsPerDay is the 3,000 external cap, not the 10,000 total: the library cannot tell external recipients from internal ones, "
                + "and a pet-sitting business writes almost only to clients. Trial accounts: set MessagesPerDay = 500. "
                + GooglePacingNote),
        ],
        new("Gmail", "an app password (which needs 2-Step Verification) or signing in with Google (OAuth2); the ordinary Google password stopped working for SMTP on 2022-05-30", Both))
    {
        HelpLinks = ["https://support.google.com/a/answer/166852", "https://support.google.com/mail/answer/6592"],
        BannerEndings = ["gsmtp"],
        ReplySignatures = ["gsmtp", "support.google.com", "accounts.google.com"],
        WebSignIn = GoogleWebSignIn,

        // OAuth2 for SMTP: Google's web-server flow and the XOAUTH2 scope (https://developers.google.com/identity/protocols/oauth2/web-server,
        // https://developers.google.com/gmail/imap/xoauth2-protocol). A refresh token comes only with access_type=offline;
        // prompt=consent returns one again when the owner reconnects.
        OAuthAuthorizationEndpoint = new Uri("https://accounts.google.com/o/oauth2/v2/auth"),
        OAuthTokenEndpoint = new Uri("https://oauth2.googleapis.com/token"),

        // "Revoking a token" in the same page: a POST of token=<refresh token> ends the grant at Google.
        OAuthRevocationEndpoint = new Uri("https://oauth2.googleapis.com/revoke"),
        OAuthScopes = ["https://mail.google.com/", "openid", "email"],
        OAuthIssuer = "https://accounts.google.com",
        OAuthAuthorizationParameters = new Dictionary<string, string>(StringComparer.Ordinal) { ["access_type"] = "offline", ["prompt"] = "consent" },
        OAuthSource = "https://developers.google.com/identity/protocols/oauth2/web-server",
    };

    /// <summary>Gets Microsoft 365 / Exchange Online, including "Microsoft 365 from GoDaddy".</summary>
    public static SmtpProvider Microsoft365 { get; } = new(
        KnownSmtpProvider.Microsoft365,
        "Microsoft 365",
        ["smtp.office365.com", "smtp-legacy.office365.com"],
        ["office365.com", "office365.us", "protection.outlook.com"],
        [
            new(
                "Microsoft 365",
                new SendLimits { MessagesPerMinute = 30, RecipientsPerDay = 10_000, RecipientsPerMessage = 500 },
                "Microsoft's published Exchange Online limits: 30 messages per minute, 10,000 recipients per rolling day, "
                + "500 recipients per message (an admin may set 1-1,000).",
                true,
                "Over 30 per minute Microsoft delays messages (older pages say it rejects them). At most 3 concurrent connections per mailbox: "
                + "keep MaxConnections at 3 or less. If an admin changed the recipients-per-message cap, override RecipientsPerMessage."),
        ],
        new("Microsoft 365", "SMTP AUTH turned on for the mailbox (it is off by default for organisations created after January 2020)", StartTlsOnly)
        {
            MaxConnections = 3,
            AnnouncedChange = "Microsoft turns off signing in to SMTP with a password (basic authentication) by default at the end of December 2026 and plans to remove it in the second half of 2027: plan the move to Microsoft sign-in (OAuth2), or ask your administrator how long SMTP AUTH with a password stays allowed.",
        })
    {
        // Exchange Online's servers name themselves *.PROD.OUTLOOK.COM; on-premises Exchange greets in the same
        // words ("Microsoft ESMTP MAIL Service ready") under the company's own name, so those words prove nothing.
        BannerServerSuffixes = ["prod.outlook.com"],
        ReplySignatures = ["STOREDRV", "aka.ms/", "PROD.OUTLOOK.COM"],

        // The Microsoft identity platform's multi-tenant ("common") endpoints and the SMTP.Send scope, from
        // "Authenticate an IMAP, POP or SMTP connection using OAuth" (https://learn.microsoft.com/en-us/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth).
        // offline_access returns a refresh token; Microsoft rotates it on each refresh. The identity platform has no
        // revocation endpoint for refresh tokens (only the user or an admin revoking sessions ends them): no
        // OAuthRevocationEndpoint, and a disconnect deletes the grant.
        OAuthAuthorizationEndpoint = new Uri("https://login.microsoftonline.com/common/oauth2/v2.0/authorize"),
        OAuthTokenEndpoint = new Uri("https://login.microsoftonline.com/common/oauth2/v2.0/token"),
        OAuthScopes = ["https://outlook.office.com/SMTP.Send", "offline_access", "openid", "email"],
        OAuthIssuer = "https://login.microsoftonline.com/{tenantid}/v2.0",
        OAuthSource = "https://learn.microsoft.com/en-us/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth",
    };

    /// <summary>Gets Outlook.com, Hotmail and Live consumer mailboxes.</summary>
    public static SmtpProvider OutlookCom { get; } = new(
        KnownSmtpProvider.OutlookCom,
        "Outlook.com",
        ["smtp-mail.outlook.com"],
        ["outlook.com", "hotmail.com", "live.com"],
        [
            new(
                "Outlook.com",
                new SendLimits { RecipientsPerDay = 300, RecipientsPerMessage = 300 },
                "Free accounts: about 300 recipients per day from third-party reports. Microsoft states 5,000 recipients per day "
                + "(1,000 of them first-contact) for Microsoft 365 subscribers; 500 recipients per message.",
                false,
                "The preset takes the free-account figure, and caps a message at the same 300 (Microsoft's 500 per message is more "
                + "than a free account's whole day). A subscriber's account can set RecipientsPerDay = 5000 and RecipientsPerMessage = 500 "
                + "(at most 1,000 recipients a day to people never written to before). One user saw the count reset at 00:00 UTC rather than roll; "
                + "counting a rolling day is the safe reading either way. Outlook.com accepts OAuth2 only since 2024-09-16."),
        ],
        new("Outlook.com", "Microsoft sign-in (OAuth2) only: passwords and app passwords stopped working for SMTP on 2024-09-16", StartTlsOnly)
        {
            RefusesPasswords = true,
        })
    {
        WebSignIn = OutlookComWebSignIn,
    };

    /// <summary>Gets Yahoo Mail.</summary>
    public static SmtpProvider Yahoo { get; } = new(
        KnownSmtpProvider.Yahoo,
        "Yahoo",
        ["smtp.mail.yahoo.com"],
        ["yahoo.com"],
        [
            new(
                "Yahoo",
                new SendLimits { MessagesPerDay = 500, RecipientsPerMessage = 100 },
                "Yahoo Small Business documents 500 messages per day and 100 recipients per message; no figure was found for consumer Yahoo Mail.",
                false,
                "The Small Business figures are used for every Yahoo account; a consumer account's real limit is unknown."),
        ],
        new("Yahoo", "an app password or OAuth2, not the account's normal password", Both));

    /// <summary>Gets AOL Mail.</summary>
    public static SmtpProvider Aol { get; } = new(
        KnownSmtpProvider.Aol,
        "AOL",
        ["smtp.aol.com"],
        ["aol.com"],
        [new("AOL", SendLimits.None, NoPublishedLimits, false, NoLimitSet)],
        new("AOL", "an app password or OAuth2, not the account's normal password", ImplicitOnly));

    /// <summary>Gets iCloud Mail.</summary>
    public static SmtpProvider ICloud { get; } = new(
        KnownSmtpProvider.ICloud,
        "iCloud Mail",
        ["smtp.mail.me.com"],
        ["mail.me.com", "icloud.com"],
        [
            new(
                "iCloud",
                new SendLimits { MessagesPerDay = 1_000, RecipientsPerDay = 1_000, RecipientsPerMessage = 500 },
                "Apple Support article 102198 (iCloud Mail limits): 1,000 messages and 1,000 recipients per day, 500 recipients per message.",
                true,
                "An older Apple page said 200 messages per day and 100 recipients per message; if an older account is refused earlier, override them."),
        ],
        new("iCloud Mail", "an app-specific password (which needs two-factor authentication)", StartTlsOnly));

    /// <summary>Gets Zoho Mail, with its regional data centres.</summary>
    public static SmtpProvider Zoho { get; } = new(
        KnownSmtpProvider.Zoho,
        "Zoho Mail",
        ["smtp.zoho.com", "smtppro.zoho.com", "smtp.zoho.eu", "smtppro.zoho.eu", "smtp.zoho.in", "smtppro.zoho.in", "smtp.zoho.com.au"],
        ["zoho.com", "zoho.eu", "zoho.in", "zoho.com.au", "zohocloud.ca"],
        [
            new(
                "Zoho",
                new SendLimits { MessagesPerHour = 50, RecipientsPerMessage = 100 },
                "Zoho's \"rates and limits\" page: external mail 50-500 per rolling hour by the account's reputation, internal 1,000 per hour; "
                + "recipients per message: external 150 on paid plans, 100 on free ones.",
                true,
                "The preset takes the lowest figures (50 per hour, 100 recipients per message); an account with a good reputation, "
                + "or one writing mostly inside its organization, can raise MessagesPerHour."),
        ],
        new("Zoho Mail", "the account password, or an app password when two-factor authentication is on", Both));

    /// <summary>Gets IONOS (formerly 1&amp;1).</summary>
    public static SmtpProvider Ionos { get; } = new(
        KnownSmtpProvider.Ionos,
        "IONOS",
        ["smtp.ionos.com", "smtp.ionos.de", "smtp.ionos.co.uk"],
        ["ionos.com", "ionos.de", "ionos.co.uk", "1and1.com"],
        [
            new(
                "IONOS",
                new SendLimits { MessagesPerHour = 50, RecipientsPerMessage = 200 },
                "IONOS help pages: per-hour limit rising with the account's age, 50, then 100, 400 and 500 (another page: 5,000 after 30 days); "
                + "200 recipients per message. The pages disagree.",
                false,
                "The preset takes the new-account 50 per hour; an established account can raise MessagesPerHour. IONOS answers "
                + "\"450 Mail send limit exceeded.\" and lifts it after about an hour. Since 2024-01-29 the From domain must match the account."),
        ],
        new("IONOS", "the mailbox password, with a From address of the account's own domain (since 2024-01-29)", Both)
        {
            FromMustMatchAccount = true,
        });

    /// <summary>Gets GoDaddy Workspace Email (legacy); "Microsoft 365 from GoDaddy" is <see cref="Microsoft365"/>.</summary>
    public static SmtpProvider GoDaddy { get; } = new(
        KnownSmtpProvider.GoDaddy,
        "GoDaddy",
        [GoDaddySmtpHost],
        ["secureserver.net"],
        [
            new(
                "GoDaddy",
                new SendLimits { RecipientsPerDay = 250, RecipientsPerMessage = 100 },
                "GoDaddy help pages from 2015: 250 relays per day (more as a paid add-on), 100 recipients per message.",
                false,
                "GoDaddy counts a relay per recipient, hence RecipientsPerDay; raise it if the account bought more relays. "
                + "\"Microsoft 365 from GoDaddy\" uses smtp.office365.com and the Microsoft 365 preset."),
        ],
        new("GoDaddy Workspace Email", "the mailbox password", ImplicitOnly));

    /// <summary>Gets Fastmail.</summary>
    public static SmtpProvider Fastmail { get; } = new(
        KnownSmtpProvider.Fastmail,
        "Fastmail",
        ["smtp.fastmail.com"],
        ["fastmail.com"],
        [new("Fastmail", SendLimits.None, NoPublishedLimits, false, NoLimitSet)],
        new("Fastmail", "an app password (the account password is refused)", ImplicitOnly));

    /// <summary>Gets Titan.</summary>
    public static SmtpProvider Titan { get; } = new(
        KnownSmtpProvider.Titan,
        "Titan",
        ["smtp.titan.email"],
        ["titan.email"],
        [new("Titan", SendLimits.None, "No published sending limits were found (host seen in working configurations only).", false, NoLimitSet)],
        new("Titan", "the mailbox password, or an app password when two-factor authentication is on", Both));

    /// <summary>
    /// Gets the empty preset, which belongs to no provider: the account's own limits only. Naming it stops
    /// detection by host.
    /// </summary>
    public static ProviderPreset CustomPreset { get; } = new(
        "Custom",
        [],
        SendLimits.None,
        "None: the account's own limits only.",
        isVerified: false,
        "Matches no host. Use it for a provider without a preset, or to replace a preset's limits entirely.");

    /// <summary>Gets every provider, in the order their presets are listed (Gmail before Google Workspace).</summary>
    public static IReadOnlyList<SmtpProvider> All { get; } =
        [Google, Microsoft365, OutlookCom, Yahoo, Aol, ICloud, Zoho, Ionos, GoDaddy, Fastmail, Titan];

    /// <summary>Gets every preset, the providers' in order, then <see cref="CustomPreset"/>.</summary>
    public static IReadOnlyList<ProviderPreset> Presets { get; } = [.. All.SelectMany(provider => provider.Presets), CustomPreset];

    /// <summary>Returns the catalogue's record of <paramref name="kind"/>; <see langword="null"/> for <see cref="KnownSmtpProvider.Unknown"/>.</summary>
    public static SmtpProvider? Find(KnownSmtpProvider kind)
    {
        foreach (var provider in All)
        {
            if (provider.Kind == kind)
            {
                return provider;
            }
        }

        return null;
    }

    /// <summary>
    /// Finds a preset by name, ignoring case, spaces, dots, hyphens and underscores (<c>outlook.com</c>,
    /// <c>OutlookCom</c>, <c>google workspace</c>), with the provider it belongs to (none for Custom).
    /// </summary>
    public static (ProviderPreset Preset, SmtpProvider? Provider)? FindByName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        foreach (var provider in All)
        {
            foreach (var preset in provider.Presets)
            {
                if (SameName(preset.Name, name))
                {
                    return (preset, provider);
                }
            }
        }

        return SameName(CustomPreset.Name, name) ? (CustomPreset, null) : null;
    }

    /// <summary>
    /// Finds the provider whose SMTP server this is: one of its <see cref="SmtpProvider.Hosts"/>, or a
    /// sub-domain of one of its <see cref="SmtpProvider.Domains"/> (the longest matching domain wins). Case,
    /// surrounding spaces and a trailing dot are ignored; a look-alike (<c>smtp.gmail.com.evil.example</c>,
    /// <c>notgmail.com</c>) matches nothing.
    /// </summary>
    public static SmtpProvider? FromHost(string? host)
    {
        if (string.IsNullOrWhiteSpace(host))
        {
            return null;
        }

        var name = host.Trim().TrimEnd('.');
        SmtpProvider? best = null;
        var bestLength = 0;
        foreach (var provider in All)
        {
            foreach (var known in provider.Hosts)
            {
                if (name.Equals(known, StringComparison.OrdinalIgnoreCase))
                {
                    return provider;
                }
            }

            foreach (var domain in provider.Domains)
            {
                if (domain.Length > bestLength && IsSubdomain(name, domain))
                {
                    best = provider;
                    bestLength = domain.Length;
                }
            }
        }

        return best;
    }

    /// <summary>
    /// Reads the server's greeting and EHLO lines: a line ending in a provider's <see cref="SmtpProvider.BannerEndings"/>,
    /// or whose server name (RFC 5321: the first word after the code) ends in its
    /// <see cref="SmtpProvider.BannerServerSuffixes"/> or is one of its hosts (<see cref="FromHost"/>).
    /// </summary>
    /// <returns>The provider and the line that named it; <see langword="null"/> when no line does.</returns>
    public static (SmtpProvider Provider, string Line)? FromBanner(string? banner)
    {
        if (string.IsNullOrWhiteSpace(banner))
        {
            return null;
        }

        foreach (var line in banner.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (FromBannerLine(line) is { } provider)
            {
                return (provider, line);
            }
        }

        return null;
    }

    /// <summary>Finds the provider whose <see cref="SmtpProvider.ReplySignatures"/> a reply carries, with the mark found.</summary>
    public static (SmtpProvider Provider, string Signature)? FromReply(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        foreach (var provider in All)
        {
            foreach (var mark in provider.ReplySignatures)
            {
                if (text.Contains(mark, StringComparison.OrdinalIgnoreCase))
                {
                    return (provider, mark);
                }
            }
        }

        return null;
    }

    private static SmtpProvider? FromBannerLine(string line)
    {
        foreach (var provider in All)
        {
            foreach (var ending in provider.BannerEndings)
            {
                if (line.EndsWith(ending, StringComparison.OrdinalIgnoreCase))
                {
                    return provider;
                }
            }
        }

        var words = line.Length > 4 ? line[4..].Split(' ', 2, StringSplitOptions.RemoveEmptyEntries) : [];
        if (words.Length == 0)
        {
            return null;
        }

        var name = words[0].TrimEnd(',');
        foreach (var provider in All)
        {
            foreach (var suffix in provider.BannerServerSuffixes)
            {
                if (IsSubdomain(name, suffix))
                {
                    return provider;
                }
            }
        }

        return FromHost(name);
    }

    private static bool IsSubdomain(string name, string domain) =>
        name.Length > domain.Length + 1
        && name.EndsWith(domain, StringComparison.OrdinalIgnoreCase)
        && name[name.Length - domain.Length - 1] == '.';

    private static bool SameName(string known, string candidate)
    {
        int i = 0, j = 0;
        while (true)
        {
            while (i < known.Length && IsSeparator(known[i]))
            {
                i++;
            }

            while (j < candidate.Length && IsSeparator(candidate[j]))
            {
                j++;
            }

            if (i == known.Length || j == candidate.Length)
            {
                return i == known.Length && j == candidate.Length;
            }

            if (char.ToUpperInvariant(known[i]) != char.ToUpperInvariant(candidate[j]))
            {
                return false;
            }

            i++;
            j++;
        }
    }

    private static bool IsSeparator(char c) => c is ' ' or '.' or '-' or '_';
}
