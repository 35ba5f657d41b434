namespace PetSitter.Email;

/// <summary>Recognises a provider from the SMTP host name, or failing that from its reply.</summary>
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
}
