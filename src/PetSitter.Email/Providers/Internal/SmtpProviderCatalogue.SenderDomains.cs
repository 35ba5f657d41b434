using System.Net;

namespace PetSitter.Email.Providers;

/// <summary>
/// What a provider publishes for the owner's own domain behind it (the SPF include, an address its servers send
/// from, its DKIM selectors) and which domains are the providers' own free-mail domains, whose records the
/// provider keeps. Kept apart from the providers' SMTP facts so each kind of fact has its own members.
/// </summary>
internal static partial class SmtpProviderCatalogue
{
    /// <summary>
    /// Gets Google's rules for a Google Workspace domain. SPF: Google Workspace Admin Help "Set up SPF"
    /// (https://support.google.com/a/answer/10685031): <c>v=spf1 include:_spf.google.com ~all</c>. DKIM: "Set up DKIM"
    /// (https://support.google.com/a/answer/174124): the default selector is <c>google</c>. The sending address is
    /// one of Google's outbound servers, inside <c>ip4:209.85.128.0/17</c> of <c>_netblocks.google.com</c>, which
    /// <c>_spf.google.com</c> includes.
    /// </summary>
    public static SenderDomainRules GoogleSenderDomain { get; } = new(
        "Google",
        "_spf.google.com",
        IPAddress.Parse("209.85.220.41"),
        ["google"],
        "turn on DKIM in the Google Admin console (Apps > Google Workspace > Gmail > Authenticate email), then publish the TXT record it shows at google._domainkey.{0} and press Start authentication",
        "https://support.google.com/a/answer/10685031");

    /// <summary>
    /// Gets Microsoft's rules for a Microsoft 365 domain. SPF: "Set up SPF to identify valid email sources for your
    /// Microsoft 365 domain" (https://learn.microsoft.com/en-us/defender-office-365/email-authentication-spf-configure):
    /// <c>v=spf1 include:spf.protection.outlook.com -all</c>. DKIM: "Set up DKIM to sign mail from your Microsoft 365
    /// domain" (https://learn.microsoft.com/en-us/defender-office-365/email-authentication-dkim-configure): two CNAME
    /// records, <c>selector1._domainkey</c> and <c>selector2._domainkey</c>. The sending address is inside
    /// <c>ip4:40.107.0.0/16</c> of <c>spf.protection.outlook.com</c>.
    /// </summary>
    public static SenderDomainRules Microsoft365SenderDomain { get; } = new(
        "Microsoft 365",
        "spf.protection.outlook.com",
        IPAddress.Parse("40.107.22.1"),
        ["selector1", "selector2"],
        "turn on DKIM for {0} in the Microsoft Defender portal (Email & collaboration > Policies > Email authentication settings > DKIM), then add the two CNAME records it shows (selector1._domainkey.{0} and selector2._domainkey.{0})",
        "https://learn.microsoft.com/en-us/defender-office-365/email-authentication-spf-configure");

    /// <summary>
    /// Gets the free-mail domains and whose they are: an address there sends under the provider's own SPF, DKIM and
    /// DMARC, which only the provider can change.
    /// </summary>
    public static IReadOnlyDictionary<string, string> FreeMailDomains { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["gmail.com"] = "Google",
        ["googlemail.com"] = "Google",
        ["outlook.com"] = "Microsoft",
        ["hotmail.com"] = "Microsoft",
        ["live.com"] = "Microsoft",
        ["msn.com"] = "Microsoft",
        ["yahoo.com"] = "Yahoo",
        ["ymail.com"] = "Yahoo",
        ["aol.com"] = "AOL",
        ["icloud.com"] = "Apple",
        ["me.com"] = "Apple",
        ["mac.com"] = "Apple",
        ["zohomail.com"] = "Zoho",
        ["gmx.com"] = "GMX",
        ["proton.me"] = "Proton",
        ["protonmail.com"] = "Proton",
        ["fastmail.com"] = "Fastmail",
    };

    /// <summary>Returns what <paramref name="kind"/> publishes for an owner's domain; <see langword="null"/> when the catalogue does not know.</summary>
    public static SenderDomainRules? SenderDomainRulesFor(KnownSmtpProvider kind) => kind switch
    {
        KnownSmtpProvider.Gmail => GoogleSenderDomain,
        KnownSmtpProvider.Microsoft365 => Microsoft365SenderDomain,
        _ => null,
    };
}
