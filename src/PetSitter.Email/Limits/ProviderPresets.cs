namespace PetSitter.Email;

/// <summary>
/// The send limits of well-known mail providers, found by name (<see cref="Find"/>) or by SMTP host
/// (<see cref="Detect"/>). The presets and their hosts live in the library's provider catalogue, which the
/// failure rules and diagnostics read too. Figures come from the providers' pages where they publish them, otherwise
/// from third-party reports (<see cref="ProviderPreset.IsVerified"/> is then <see langword="false"/>).
/// </summary>
/// <remarks>
/// Gmail and Google Workspace share <c>smtp.gmail.com</c>: detection picks <see cref="Gmail"/>, the
/// stricter; a Workspace account names <see cref="GoogleWorkspace"/> in <see cref="SmtpAccountSettings.Provider"/>.
/// </remarks>
public static class ProviderPresets
{
    /// <summary>Gets the preset for a personal Gmail account (<c>smtp.gmail.com</c>): 2/s, 500/day, 100 recipients/message.</summary>
    public static ProviderPreset Gmail { get; } = SmtpProviderCatalogue.Google.Presets[0];

    /// <summary>
    /// Gets the preset for a Google Workspace account (<c>smtp.gmail.com</c>, chosen by name): 2/s, 2,000/day,
    /// 3,000 recipients/day, 100 recipients/message.
    /// </summary>
    public static ProviderPreset GoogleWorkspace { get; } = SmtpProviderCatalogue.Google.Presets[1];

    /// <summary>
    /// Gets the preset for Microsoft 365 / Exchange Online (<c>smtp.office365.com</c>, also "Microsoft 365 from
    /// GoDaddy"): 30/min, 10,000 recipients/day, 500 recipients/message.
    /// </summary>
    public static ProviderPreset Microsoft365 { get; } = SmtpProviderCatalogue.Microsoft365.DefaultPreset;

    /// <summary>Gets the preset for Outlook.com / Hotmail (<c>smtp-mail.outlook.com</c>): 300 recipients/day, 300 recipients/message.</summary>
    public static ProviderPreset OutlookCom { get; } = SmtpProviderCatalogue.OutlookCom.DefaultPreset;

    /// <summary>Gets the preset for Yahoo Mail (<c>smtp.mail.yahoo.com</c>): 500/day, 100 recipients/message.</summary>
    public static ProviderPreset Yahoo { get; } = SmtpProviderCatalogue.Yahoo.DefaultPreset;

    /// <summary>Gets the preset for AOL Mail (<c>smtp.aol.com</c>): no published limits.</summary>
    public static ProviderPreset Aol { get; } = SmtpProviderCatalogue.Aol.DefaultPreset;

    /// <summary>Gets the preset for iCloud Mail (<c>smtp.mail.me.com</c>): 1,000/day, 1,000 recipients/day, 500 recipients/message.</summary>
    public static ProviderPreset ICloud { get; } = SmtpProviderCatalogue.ICloud.DefaultPreset;

    /// <summary>Gets the preset for Zoho Mail (<c>smtp.zoho.com</c>, <c>smtppro.zoho.com</c> and regional hosts): 50/h, 100 recipients/message.</summary>
    public static ProviderPreset Zoho { get; } = SmtpProviderCatalogue.Zoho.DefaultPreset;

    /// <summary>Gets the preset for IONOS (<c>smtp.ionos.com</c>): 50/h, 200 recipients/message.</summary>
    public static ProviderPreset Ionos { get; } = SmtpProviderCatalogue.Ionos.DefaultPreset;

    /// <summary>Gets the preset for GoDaddy Workspace Email, legacy (<c>smtpout.secureserver.net</c>): 250 recipients/day, 100 recipients/message.</summary>
    public static ProviderPreset GoDaddy { get; } = SmtpProviderCatalogue.GoDaddy.DefaultPreset;

    /// <summary>Gets the preset for Fastmail (<c>smtp.fastmail.com</c>): no published limits.</summary>
    public static ProviderPreset Fastmail { get; } = SmtpProviderCatalogue.Fastmail.DefaultPreset;

    /// <summary>Gets the preset for Titan (<c>smtp.titan.email</c>): no published limits.</summary>
    public static ProviderPreset Titan { get; } = SmtpProviderCatalogue.Titan.DefaultPreset;

    /// <summary>
    /// Gets the empty preset: no provider figures, only the account's own <see cref="SmtpAccountSettings.Limits"/>.
    /// Name it to stop detection, or to drop a limit a provider preset would set.
    /// </summary>
    public static ProviderPreset Custom { get; } = SmtpProviderCatalogue.CustomPreset;

    /// <summary>Gets every preset, in detection order (Gmail before Google Workspace).</summary>
    public static IReadOnlyList<ProviderPreset> All { get; } = SmtpProviderCatalogue.Presets;

    /// <summary>Gets the presets' names, as accepted by <see cref="Find"/>.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. All.Select(preset => preset.Name)];

    /// <summary>
    /// Finds a preset by name, ignoring case, spaces, dots, hyphens and underscores (so <c>outlook.com</c>,
    /// <c>OutlookCom</c> and <c>google workspace</c> all match).
    /// </summary>
    /// <param name="name">The preset's name, for example <c>Microsoft 365</c>.</param>
    /// <returns>The preset, or <see langword="null"/> when no preset has that name.</returns>
    public static ProviderPreset? Find(string? name) => SmtpProviderCatalogue.FindByName(name)?.Preset;

    /// <summary>
    /// Finds the preset whose SMTP host this is, for example <c>smtp.office365.com</c> → <see cref="Microsoft365"/>:
    /// any host the provider catalogue knows, its aliases included (<c>smtp-legacy.office365.com</c>,
    /// <c>smtp.zoho.com.au</c>, <c>*.mail.protection.outlook.com</c>), the same hosts the failure rules recognise.
    /// <c>smtp.gmail.com</c> gives <see cref="Gmail"/> (the stricter of the two Google presets).
    /// </summary>
    /// <param name="host">The SMTP server's host name.</param>
    /// <returns>The preset, or <see langword="null"/> when the host belongs to no known provider.</returns>
    public static ProviderPreset? Detect(string? host) => SmtpProviderCatalogue.FromHost(host)?.DefaultPreset;
}
