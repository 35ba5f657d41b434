namespace PetSitter.Email;

/// <summary>
/// Recognises a provider: from the name the account gives, else the SMTP host name, else the server's
/// greeting and EHLO banner (owners put their own host names in front of Microsoft 365 or Google), else the
/// signature in the reply itself.
/// </summary>
internal static class KnownSmtpProviders
{
    // Domain suffixes, most specific first: smtp-mail.outlook.com is Outlook.com while
    // *.outlook.office365.com is Microsoft 365.
    private static readonly (string Suffix, KnownSmtpProvider Provider)[] HostSuffixes =
    [
        ("gmail.com", KnownSmtpProvider.Gmail),
        ("googlemail.com", KnownSmtpProvider.Gmail),
        ("google.com", KnownSmtpProvider.Gmail),
        ("office365.com", KnownSmtpProvider.Microsoft365),
        ("office365.us", KnownSmtpProvider.Microsoft365),
        ("protection.outlook.com", KnownSmtpProvider.Microsoft365),
        ("outlook.com", KnownSmtpProvider.OutlookCom),
        ("hotmail.com", KnownSmtpProvider.OutlookCom),
        ("live.com", KnownSmtpProvider.OutlookCom),
        ("yahoo.com", KnownSmtpProvider.Yahoo),
        ("aol.com", KnownSmtpProvider.Aol),
        ("mail.me.com", KnownSmtpProvider.ICloud),
        ("icloud.com", KnownSmtpProvider.ICloud),
        ("zoho.com", KnownSmtpProvider.Zoho),
        ("zoho.eu", KnownSmtpProvider.Zoho),
        ("zoho.in", KnownSmtpProvider.Zoho),
        ("zoho.com.au", KnownSmtpProvider.Zoho),
        ("zohocloud.ca", KnownSmtpProvider.Zoho),
        ("fastmail.com", KnownSmtpProvider.Fastmail),
        ("secureserver.net", KnownSmtpProvider.GoDaddy),
        ("ionos.com", KnownSmtpProvider.Ionos),
        ("ionos.de", KnownSmtpProvider.Ionos),
        ("ionos.co.uk", KnownSmtpProvider.Ionos),
        ("1and1.com", KnownSmtpProvider.Ionos),
        ("titan.email", KnownSmtpProvider.Titan),
    ];

    /// <summary>
    /// Names the provider whose rules and advice apply, and why. The first source that knows wins: the
    /// account's <see cref="SmtpAccountSettings.Provider"/> (an override, as <c>diagnose --provider</c> gives),
    /// the host name, the server's banner, then the reply's signature.
    /// </summary>
    public static ProviderDetection Detect(string? host, string? named = null, string? banner = null, string? reply = null)
    {
        if (FromName(named) is { } byName && byName.Provider != KnownSmtpProvider.Unknown)
        {
            return new(byName.Provider, byName.Name, $"the account names its provider \"{named!.Trim()}\"");
        }

        if (FromHost(host) is var byHost and not KnownSmtpProvider.Unknown)
        {
            return new(byHost, NameOf(byHost), $"the host name {host!.Trim()}");
        }

        if (FromBanner(banner) is var byBanner and not KnownSmtpProvider.Unknown)
        {
            return new(byBanner, NameOf(byBanner), $"the server introduced itself as \"{FirstLine(banner!, byBanner)}\"");
        }

        if (!string.IsNullOrEmpty(reply) && FromReply(reply) is var byReply and not KnownSmtpProvider.Unknown)
        {
            return new(byReply, NameOf(byReply), $"the reply carries {NameOf(byReply)}'s signature ({Signature(reply, byReply)})");
        }

        return ProviderDetection.None;
    }

    /// <summary>The provider of a preset name (<c>Google Workspace</c> reads replies as Gmail does); <see langword="null"/> for no or an unknown name.</summary>
    public static (KnownSmtpProvider Provider, string Name)? FromName(string? name)
    {
        var preset = ProviderPresets.Find(name);
        if (preset is null)
        {
            return null;
        }

        var provider = preset == ProviderPresets.Gmail || preset == ProviderPresets.GoogleWorkspace ? KnownSmtpProvider.Gmail
            : preset == ProviderPresets.Microsoft365 ? KnownSmtpProvider.Microsoft365
            : preset == ProviderPresets.OutlookCom ? KnownSmtpProvider.OutlookCom
            : preset == ProviderPresets.Yahoo ? KnownSmtpProvider.Yahoo
            : preset == ProviderPresets.Aol ? KnownSmtpProvider.Aol
            : preset == ProviderPresets.ICloud ? KnownSmtpProvider.ICloud
            : preset == ProviderPresets.Zoho ? KnownSmtpProvider.Zoho
            : preset == ProviderPresets.Ionos ? KnownSmtpProvider.Ionos
            : preset == ProviderPresets.GoDaddy ? KnownSmtpProvider.GoDaddy
            : preset == ProviderPresets.Fastmail ? KnownSmtpProvider.Fastmail
            : preset == ProviderPresets.Titan ? KnownSmtpProvider.Titan
            : KnownSmtpProvider.Unknown;
        return (provider, preset.Name);
    }

    /// <summary>The provider's name as the owner knows it.</summary>
    public static string NameOf(KnownSmtpProvider provider) => provider switch
    {
        KnownSmtpProvider.Gmail => "Gmail",
        KnownSmtpProvider.Microsoft365 => "Microsoft 365",
        KnownSmtpProvider.OutlookCom => "Outlook.com",
        KnownSmtpProvider.Yahoo => "Yahoo",
        KnownSmtpProvider.Aol => "AOL",
        KnownSmtpProvider.ICloud => "iCloud Mail",
        KnownSmtpProvider.Zoho => "Zoho Mail",
        KnownSmtpProvider.Fastmail => "Fastmail",
        KnownSmtpProvider.GoDaddy => "GoDaddy",
        KnownSmtpProvider.Ionos => "IONOS",
        KnownSmtpProvider.Titan => "Titan",
        _ => "an unknown provider",
    };

    /// <summary>
    /// Reads the server's greeting and EHLO lines. Exchange Online's servers name themselves under
    /// <c>outlook.office365.com</c>, <c>mail.protection.outlook.com</c> or <c>*.PROD.OUTLOOK.COM</c> and
    /// greet with "Microsoft ESMTP MAIL Service ready" (on-premises Exchange greets the same way under the
    /// company's own name, so that phrase alone proves nothing); Google's greeting ends in "- gsmtp" and its
    /// EHLO names <c>smtp.gmail.com</c> or <c>mx.google.com</c>. Any other server name goes through the
    /// host table.
    /// </summary>
    public static KnownSmtpProvider FromBanner(string? banner)
    {
        if (string.IsNullOrWhiteSpace(banner))
        {
            return KnownSmtpProvider.Unknown;
        }

        foreach (var line in banner.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (line.EndsWith("gsmtp", StringComparison.OrdinalIgnoreCase))
            {
                return KnownSmtpProvider.Gmail;
            }

            // RFC 5321: the first word after the code is the server's own name.
            var words = line.Length > 4 ? line[4..].Split(' ', 2, StringSplitOptions.RemoveEmptyEntries) : [];
            if (words.Length == 0)
            {
                continue;
            }

            var name = words[0].TrimEnd(',');
            if (name.EndsWith(".prod.outlook.com", StringComparison.OrdinalIgnoreCase))
            {
                return KnownSmtpProvider.Microsoft365;
            }

            if (FromHost(name) is var byName and not KnownSmtpProvider.Unknown)
            {
                return byName;
            }
        }

        return KnownSmtpProvider.Unknown;
    }

    public static KnownSmtpProvider FromHost(string? host)
    {
        if (string.IsNullOrWhiteSpace(host))
        {
            return KnownSmtpProvider.Unknown;
        }

        var name = host.Trim().TrimEnd('.');
        foreach (var (suffix, provider) in HostSuffixes)
        {
            if (name.Equals(suffix, StringComparison.OrdinalIgnoreCase)
                || (name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) && name[name.Length - suffix.Length - 1] == '.'))
            {
                return provider;
            }
        }

        return KnownSmtpProvider.Unknown;
    }

    /// <summary>
    /// Guesses the provider from a reply's signature when the host is not known (the sender does not
    /// always pass it): Gmail ends its replies with "gsmtp", Exchange Online names its STOREDRV
    /// component or its aka.ms help links.
    /// </summary>
    public static KnownSmtpProvider FromReply(string text)
    {
        if (text.Contains("gsmtp", StringComparison.OrdinalIgnoreCase)
            || text.Contains("support.google.com", StringComparison.OrdinalIgnoreCase)
            || text.Contains("accounts.google.com", StringComparison.OrdinalIgnoreCase))
        {
            return KnownSmtpProvider.Gmail;
        }

        if (text.Contains("STOREDRV", StringComparison.OrdinalIgnoreCase)
            || text.Contains("aka.ms/", StringComparison.OrdinalIgnoreCase)
            || text.Contains("PROD.OUTLOOK.COM", StringComparison.OrdinalIgnoreCase))
        {
            return KnownSmtpProvider.Microsoft365;
        }

        return KnownSmtpProvider.Unknown;
    }

    private static string FirstLine(string banner, KnownSmtpProvider provider)
    {
        var lines = banner.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var line = lines.FirstOrDefault(l => FromBanner(l) == provider) ?? lines[0];
        return line.Length <= 160 ? line : line[..160] + "...";
    }

    private static string Signature(string reply, KnownSmtpProvider provider)
    {
        string[] marks = provider == KnownSmtpProvider.Gmail
            ? ["gsmtp", "support.google.com", "accounts.google.com"]
            : ["STOREDRV", "aka.ms/", "PROD.OUTLOOK.COM"];
        return $"\"{marks.FirstOrDefault(m => reply.Contains(m, StringComparison.OrdinalIgnoreCase)) ?? marks[0]}\"";
    }
}

/// <summary>The provider whose rules read a reply, with the reason it was assumed.</summary>
/// <param name="Provider">The provider, or <see cref="KnownSmtpProvider.Unknown"/>.</param>
/// <param name="Name">The provider's name as the owner knows it; <see langword="null"/> when unknown.</param>
/// <param name="Because">What identified it, for example "the host name smtp.gmail.com"; <see langword="null"/> when unknown.</param>
internal sealed record ProviderDetection(KnownSmtpProvider Provider, string? Name, string? Because)
{
    public static ProviderDetection None { get; } = new(KnownSmtpProvider.Unknown, null, null);
}
