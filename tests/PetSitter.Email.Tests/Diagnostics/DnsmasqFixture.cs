using System.Security.Cryptography;

namespace PetSitter.Email.Tests.Diagnostics;

/// <summary>
/// One dnsmasq for the sender-domain tests, holding a zone per situation under <c>petsitter.test</c>, and the
/// providers' own SPF records the owners' records include. Started once, stopped by PID at the end.
/// </summary>
public sealed class DnsmasqFixture : IAsyncLifetime
{
    public const string Zone = "petsitter.test";

    /// <summary>SPF authorises Google, Google's DKIM key at <c>google._domainkey</c>, DMARC p=quarantine with strict DKIM alignment.</summary>
    public const string Passing = "pass." + Zone;

    /// <summary>No SPF record (another TXT record only), DMARC p=reject.</summary>
    public const string WithoutSpf = "nospf." + Zone;

    /// <summary>An SPF record naming only another server (<c>-all</c>): Google's servers are not authorised.</summary>
    public const string SpfWithoutProvider = "otherspf." + Zone;

    /// <summary>SPF and DKIM right, no DMARC record.</summary>
    public const string WithoutDmarc = "nodmarc." + Zone;

    /// <summary>SPF and DKIM right, DMARC p=none.</summary>
    public const string DmarcNone = "dmarcnone." + Zone;

    /// <summary>A Microsoft 365 domain: SPF includes Microsoft's, selector1/selector2 are CNAMEs to the tenant's keys.</summary>
    public const string Microsoft = "ms." + Zone;

    private DnsmasqServer? _server;

    public DnsmasqServer Server => _server ?? throw new InvalidOperationException("dnsmasq has not started.");

    public async Task InitializeAsync()
    {
        // A real key, so MimeKit's parser reads what a receiver would; 1024 bits keeps the record in one TXT string.
        using var rsa = RSA.Create(1024);
        var dkim = $"v=DKIM1; k=rsa; p={Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo())}";
        string[] lines =
        [
            $"local=/{Zone}/",
            "local=/google.com/",
            "local=/outlook.com/",
            "local=/onmicrosoft.com/",

            // The providers' records, trimmed to the ranges that hold the catalogue's sending addresses. Google: the
            // include of https://support.google.com/a/answer/10685031, whose _netblocks record lists ip4:209.85.128.0/17.
            "txt-record=_spf.google.com,\"v=spf1 include:_netblocks.google.com ~all\"",
            "txt-record=_netblocks.google.com,\"v=spf1 ip4:64.233.160.0/19 ip4:209.85.128.0/17 ~all\"",

            // Microsoft: the include of https://learn.microsoft.com/en-us/defender-office-365/email-authentication-spf-configure.
            "txt-record=spf.protection.outlook.com,\"v=spf1 ip4:40.92.0.0/15 ip4:40.107.0.0/16 ip4:52.100.0.0/15 ip4:104.47.0.0/17 -all\"",

            $"txt-record={Passing},\"v=spf1 include:_spf.google.com ~all\"",
            $"txt-record=google._domainkey.{Passing},\"{dkim}\"",
            $"txt-record=_dmarc.{Passing},\"v=DMARC1; p=quarantine; adkim=s; rua=mailto:dmarc@{Passing}\"",

            $"txt-record={WithoutSpf},\"google-site-verification=petsitter-test-token\"",
            $"txt-record=_dmarc.{WithoutSpf},\"v=DMARC1; p=reject\"",

            $"txt-record={SpfWithoutProvider},\"v=spf1 ip4:192.0.2.10 -all\"",
            $"txt-record=_dmarc.{SpfWithoutProvider},\"v=DMARC1; p=quarantine\"",

            $"txt-record={WithoutDmarc},\"v=spf1 include:_spf.google.com ~all\"",
            $"txt-record=google._domainkey.{WithoutDmarc},\"{dkim}\"",

            $"txt-record={DmarcNone},\"v=spf1 include:_spf.google.com ~all\"",
            $"txt-record=google._domainkey.{DmarcNone},\"{dkim}\"",
            $"txt-record=_dmarc.{DmarcNone},\"v=DMARC1; p=none; rua=mailto:dmarc@{DmarcNone}\"",

            // Microsoft's DKIM: CNAMEs to keys in the tenant's onmicrosoft.com domain (the form of its DKIM setup page).
            $"txt-record={Microsoft},\"v=spf1 include:spf.protection.outlook.com -all\"",
            $"txt-record=selector1-ms-petsitter-test._domainkey.paws.onmicrosoft.com,\"{dkim}\"",
            $"txt-record=selector2-ms-petsitter-test._domainkey.paws.onmicrosoft.com,\"{dkim}\"",
            $"cname=selector1._domainkey.{Microsoft},selector1-ms-petsitter-test._domainkey.paws.onmicrosoft.com",
            $"cname=selector2._domainkey.{Microsoft},selector2-ms-petsitter-test._domainkey.paws.onmicrosoft.com",
            $"txt-record=_dmarc.{Microsoft},\"v=DMARC1; p=reject; aspf=s\"",
        ];
        _server = await DnsmasqServer.StartAsync(lines, Passing);
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

/// <summary>The tests that share the dnsmasq instance.</summary>
[CollectionDefinition(Name)]
public sealed class DnsmasqTests : ICollectionFixture<DnsmasqFixture>
{
    public const string Name = "dnsmasq";
}
