namespace PetSitter.Email;

/// <summary>
/// The send limits of well-known mail providers, found by name (<see cref="Find"/>) or by SMTP host
/// (<see cref="Detect"/>). Figures come from the providers' pages where they publish them, otherwise
/// from third-party reports (<see cref="ProviderPreset.IsVerified"/> is then <see langword="false"/>).
/// </summary>
/// <remarks>
/// Gmail and Google Workspace share <c>smtp.gmail.com</c>: detection picks <see cref="Gmail"/>, the
/// stricter; a Workspace account names <see cref="GoogleWorkspace"/> in <see cref="SmtpAccountSettings.Provider"/>.
/// </remarks>
public static class ProviderPresets
{
    private const string GooglePacingNote =
        "2 messages per second is our own pacing, not a Google figure: Google publishes no rate, but answers bursts with "
        + "\"421 4.7.0 Try again later, closing connection\".";

    /// <summary>Gets the preset for a personal Gmail account (<c>smtp.gmail.com</c>): 2/s, 500/day, 100 recipients/message.</summary>
    public static ProviderPreset Gmail { get; } = new(
        "Gmail",
        ["smtp.gmail.com"],
        new SendLimits { MessagesPerSecond = 2, MessagesPerDay = 500, RecipientsPerMessage = 100 },
        "About 500 messages per rolling day from third-party reports (Google publishes no figure for personal accounts over SMTP); "
        + "100 recipients per message over SMTP. Google's too-many-recipients reply points to https://support.google.com/mail/answer/6592.",
        isVerified: false,
        "Shares smtp.gmail.com with Google Workspace; detection picks Gmail, the stricter, so a Workspace account sets Provider = \"Google Workspace\". "
        + GooglePacingNote + " At 2/s the 500 take about 4 minutes, so the pacing never costs daily capacity.");

    /// <summary>
    /// Gets the preset for a Google Workspace account (<c>smtp.gmail.com</c>, chosen by name): 2/s, 2,000/day,
    /// 3,000 recipients/day, 100 recipients/message.
    /// </summary>
    public static ProviderPreset GoogleWorkspace { get; } = new(
        "Google Workspace",
        ["smtp.gmail.com"],
        new SendLimits { MessagesPerSecond = 2, MessagesPerDay = 2_000, RecipientsPerDay = 3_000, RecipientsPerMessage = 100 },
        "Google Workspace Admin Help, \"Gmail sending limits in Google Workspace\" (https://support.google.com/a/answer/166852): "
        + "2,000 messages per rolling day (500 on trial accounts), 10,000 recipients in total and 3,000 external recipients per day, 100 recipients per message over SMTP.",
        isVerified: true,
        "RecipientsPerDay is the 3,000 external cap, not the 10,000 total: the library cannot tell external recipients from internal ones, "
        + "and a pet-sitting business writes almost only to clients. Trial accounts: set MessagesPerDay = 500. "
        + GooglePacingNote);

    /// <summary>
    /// Gets the preset for Microsoft 365 / Exchange Online (<c>smtp.office365.com</c>, also "Microsoft 365 from
    /// GoDaddy"): 30/min, 10,000 recipients/day, 500 recipients/message.
    /// </summary>
    public static ProviderPreset Microsoft365 { get; } = new(
        "Microsoft 365",
        ["smtp.office365.com"],
        new SendLimits { MessagesPerMinute = 30, RecipientsPerDay = 10_000, RecipientsPerMessage = 500 },
        "Microsoft's published Exchange Online limits: 30 messages per minute, 10,000 recipients per rolling day, "
        + "500 recipients per message (an admin may set 1-1,000).",
        isVerified: true,
        "Over 30 per minute Microsoft delays messages (older pages say it rejects them). At most 3 concurrent connections per mailbox: "
        + "keep MaxConnections at 3 or less. If an admin changed the recipients-per-message cap, override RecipientsPerMessage.");

    /// <summary>Gets the preset for Outlook.com / Hotmail (<c>smtp-mail.outlook.com</c>): 300 recipients/day, 300 recipients/message.</summary>
    public static ProviderPreset OutlookCom { get; } = new(
        "Outlook.com",
        ["smtp-mail.outlook.com"],
        new SendLimits { RecipientsPerDay = 300, RecipientsPerMessage = 300 },
        "Free accounts: about 300 recipients per day from third-party reports. Microsoft states 5,000 recipients per day "
        + "(1,000 of them first-contact) for Microsoft 365 subscribers; 500 recipients per message.",
        isVerified: false,
        "The preset takes the free-account figure, and caps a message at the same 300 (Microsoft's 500 per message is more "
        + "than a free account's whole day). A subscriber's account can set RecipientsPerDay = 5000 and RecipientsPerMessage = 500 "
        + "(at most 1,000 recipients a day to people never written to before). One user saw the count reset at 00:00 UTC rather than roll; "
        + "counting a rolling day is the safe reading either way. Outlook.com accepts OAuth2 only since 2024-09-16.");

    /// <summary>Gets the preset for Yahoo Mail (<c>smtp.mail.yahoo.com</c>): 500/day, 100 recipients/message.</summary>
    public static ProviderPreset Yahoo { get; } = new(
        "Yahoo",
        ["smtp.mail.yahoo.com"],
        new SendLimits { MessagesPerDay = 500, RecipientsPerMessage = 100 },
        "Yahoo Small Business documents 500 messages per day and 100 recipients per message; no figure was found for consumer Yahoo Mail.",
        isVerified: false,
        "The Small Business figures are used for every Yahoo account; a consumer account's real limit is unknown.");

    /// <summary>Gets the preset for AOL Mail (<c>smtp.aol.com</c>): no published limits.</summary>
    public static ProviderPreset Aol { get; } = new(
        "AOL",
        ["smtp.aol.com"],
        SendLimits.None,
        "No published sending limits were found.",
        isVerified: false,
        "No limit is set; the provider's own quota reply still holds the account until it resets. Set the limits you know.");

    /// <summary>Gets the preset for iCloud Mail (<c>smtp.mail.me.com</c>): 1,000/day, 1,000 recipients/day, 500 recipients/message.</summary>
    public static ProviderPreset ICloud { get; } = new(
        "iCloud",
        ["smtp.mail.me.com"],
        new SendLimits { MessagesPerDay = 1_000, RecipientsPerDay = 1_000, RecipientsPerMessage = 500 },
        "Apple Support article 102198 (iCloud Mail limits): 1,000 messages and 1,000 recipients per day, 500 recipients per message.",
        isVerified: true,
        "An older Apple page said 200 messages per day and 100 recipients per message; if an older account is refused earlier, override them.");

    /// <summary>Gets the preset for Zoho Mail (<c>smtp.zoho.com</c>, <c>smtppro.zoho.com</c> and regional hosts): 50/h, 100 recipients/message.</summary>
    public static ProviderPreset Zoho { get; } = new(
        "Zoho",
        ["smtp.zoho.com", "smtppro.zoho.com", "smtp.zoho.eu", "smtppro.zoho.eu", "smtp.zoho.in", "smtppro.zoho.in"],
        new SendLimits { MessagesPerHour = 50, RecipientsPerMessage = 100 },
        "Zoho's \"rates and limits\" page: external mail 50-500 per rolling hour by the account's reputation, internal 1,000 per hour; "
        + "recipients per message: external 150 on paid plans, 100 on free ones.",
        isVerified: true,
        "The preset takes the lowest figures (50 per hour, 100 recipients per message); an account with a good reputation, "
        + "or one writing mostly inside its organization, can raise MessagesPerHour.");

    /// <summary>Gets the preset for IONOS (<c>smtp.ionos.com</c>): 50/h, 200 recipients/message.</summary>
    public static ProviderPreset Ionos { get; } = new(
        "IONOS",
        ["smtp.ionos.com"],
        new SendLimits { MessagesPerHour = 50, RecipientsPerMessage = 200 },
        "IONOS help pages: per-hour limit rising with the account's age, 50, then 100, 400 and 500 (another page: 5,000 after 30 days); "
        + "200 recipients per message. The pages disagree.",
        isVerified: false,
        "The preset takes the new-account 50 per hour; an established account can raise MessagesPerHour. IONOS answers "
        + "\"450 Mail send limit exceeded.\" and lifts it after about an hour. Since 2024-01-29 the From domain must match the account.");

    /// <summary>Gets the preset for GoDaddy Workspace Email, legacy (<c>smtpout.secureserver.net</c>): 250 recipients/day, 100 recipients/message.</summary>
    public static ProviderPreset GoDaddy { get; } = new(
        "GoDaddy",
        ["smtpout.secureserver.net"],
        new SendLimits { RecipientsPerDay = 250, RecipientsPerMessage = 100 },
        "GoDaddy help pages from 2015: 250 relays per day (more as a paid add-on), 100 recipients per message.",
        isVerified: false,
        "GoDaddy counts a relay per recipient, hence RecipientsPerDay; raise it if the account bought more relays. "
        + "\"Microsoft 365 from GoDaddy\" uses smtp.office365.com and the Microsoft 365 preset.");

    /// <summary>Gets the preset for Fastmail (<c>smtp.fastmail.com</c>): no published limits.</summary>
    public static ProviderPreset Fastmail { get; } = new(
        "Fastmail",
        ["smtp.fastmail.com"],
        SendLimits.None,
        "No published sending limits were found.",
        isVerified: false,
        "No limit is set; the provider's own quota reply still holds the account until it resets. Set the limits you know.");

    /// <summary>Gets the preset for Titan (<c>smtp.titan.email</c>): no published limits.</summary>
    public static ProviderPreset Titan { get; } = new(
        "Titan",
        ["smtp.titan.email"],
        SendLimits.None,
        "No published sending limits were found (host seen in working configurations only).",
        isVerified: false,
        "No limit is set; the provider's own quota reply still holds the account until it resets. Set the limits you know.");

    /// <summary>
    /// Gets the empty preset: no provider figures, only the account's own <see cref="SmtpAccountSettings.Limits"/>.
    /// Name it to stop detection, or to drop a limit a provider preset would set.
    /// </summary>
    public static ProviderPreset Custom { get; } = new(
        "Custom",
        [],
        SendLimits.None,
        "None: the account's own limits only.",
        isVerified: false,
        "Matches no host. Use it for a provider without a preset, or to replace a preset's limits entirely.");

    /// <summary>Gets every preset, in detection order (Gmail before Google Workspace).</summary>
    public static IReadOnlyList<ProviderPreset> All { get; } =
        [Gmail, GoogleWorkspace, Microsoft365, OutlookCom, Yahoo, Aol, ICloud, Zoho, Ionos, GoDaddy, Fastmail, Titan, Custom];

    /// <summary>Gets the presets' names, as accepted by <see cref="Find"/>.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. All.Select(preset => preset.Name)];

    /// <summary>
    /// Finds a preset by name, ignoring case, spaces, dots, hyphens and underscores (so <c>outlook.com</c>,
    /// <c>OutlookCom</c> and <c>google workspace</c> all match).
    /// </summary>
    /// <param name="name">The preset's name, for example <c>Microsoft 365</c>.</param>
    /// <returns>The preset, or <see langword="null"/> when no preset has that name.</returns>
    public static ProviderPreset? Find(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        foreach (var preset in All)
        {
            if (SameName(preset.Name, name))
            {
                return preset;
            }
        }

        return null;
    }

    /// <summary>
    /// Finds the preset whose SMTP host this is, for example <c>smtp.office365.com</c> → <see cref="Microsoft365"/>.
    /// <c>smtp.gmail.com</c> gives <see cref="Gmail"/> (the stricter of the two Google presets).
    /// </summary>
    /// <param name="host">The SMTP server's host name.</param>
    /// <returns>The preset, or <see langword="null"/> when the host belongs to no known provider.</returns>
    public static ProviderPreset? Detect(string? host)
    {
        if (string.IsNullOrWhiteSpace(host))
        {
            return null;
        }

        var normalized = host.Trim().TrimEnd('.');
        foreach (var preset in All)
        {
            if (preset.Matches(normalized))
            {
                return preset;
            }
        }

        return null;
    }

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
