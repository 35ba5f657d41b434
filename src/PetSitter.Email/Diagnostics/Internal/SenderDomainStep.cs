using System.Net;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using ARSoft.Tools.Net.Spf;
using ArDnsClient = ARSoft.Tools.Net.Dns.DnsClient;
using SpfRecord = ARSoft.Tools.Net.Spf.SpfRecord;
using Microsoft.Extensions.Logging;
using MimeKit;

namespace PetSitter.Email.Diagnostics;

/// <summary>
/// Checks the From address's domain the way receivers do before they trust its mail: SPF (does the record authorise
/// the provider's servers: ARSoft.Tools.Net evaluates it for an address the provider sends from), DKIM (a key at the
/// provider's selectors, read by MimeKit) and DMARC (the policy and alignment at <c>_dmarc</c>). A free-mail domain's
/// records are its provider's, so nothing is looked up. Findings go to <see cref="DiagnosticCheck.SpamReputation"/>
/// and to the report's <see cref="DiagnosticReport.SenderDomainFindings"/>.
/// </summary>
/// <remarks>
/// Runs after the SMTP steps, whatever they found: the records do not depend on the server answering, and the
/// server's banner may have named the provider behind an owner's own host name.
/// </remarks>
internal sealed class SenderDomainStep
{
    private static readonly string[] ReservedSuffixes = [".example", ".test", ".invalid", ".localhost"];
    private static readonly string[] ReservedDomains = ["example.com", "example.net", "example.org"];

    private readonly DiagnosticContext _context;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly List<SenderDomainFinding> _found = [];

    public SenderDomainStep(DiagnosticContext context, TimeProvider time, ILogger logger)
    {
        _context = context;
        _time = time;
        _logger = logger;
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var options = _context.Options;
        var address = _context.Account.FromAddress;
        if (!options.CheckSenderDomain || string.IsNullOrWhiteSpace(address) || !MailboxAddress.TryParse(address, out var mailbox)
            || DiagnosticText.DomainOf(mailbox.Address) is not { } domain)
        {
            return;
        }

        domain = domain.Trim().TrimEnd('.').ToLowerInvariant();
        _context.SenderDomain = domain;
        if (SmtpProviderCatalogue.FreeMailDomains.TryGetValue(domain, out var owner))
        {
            FreeMail(domain, owner);
        }
        else if (options.DnsServers.Count == 0 && IsReserved(domain))
        {
            foreach (var record in Enum.GetValues<SenderDomainRecord>())
            {
                Add(record, DiagnosticStatus.NotChecked, $"{Name(record)} of {domain} was not checked: the name is reserved for examples and tests, and public DNS never has it.");
            }
        }
        else
        {
            var started = _time.GetTimestamp();
            var lookup = new SenderDomainLookup(options, _time);
            var rules = SmtpProviderCatalogue.SenderDomainRulesFor(_context.Detection.Provider);
            await CheckSpfAsync(lookup, domain, mailbox.Address, rules, cancellationToken).ConfigureAwait(false);
            await CheckDkimAsync(lookup, domain, rules, cancellationToken).ConfigureAwait(false);
            await CheckDmarcAsync(lookup, domain, cancellationToken).ConfigureAwait(false);
            var took = DiagnosticText.Seconds(_time.GetElapsedTime(started));
            _context.AddStep($"Check the DNS records of {domain} (SPF, DKIM, DMARC){(rules is null ? string.Empty : $" for {rules.Name}")}: {Describe()} ({took}).");
        }

        _context.SenderDomainFindings = [.. _found];
    }

    private static bool IsReserved(string domain) =>
        ReservedSuffixes.Any(suffix => domain.EndsWith(suffix, StringComparison.Ordinal) || domain == suffix[1..])
        || ReservedDomains.Any(reserved => domain == reserved || domain.EndsWith("." + reserved, StringComparison.Ordinal));

    private static string Name(SenderDomainRecord record) => record switch
    {
        SenderDomainRecord.Spf => "The SPF record",
        SenderDomainRecord.Dkim => "The DKIM key",
        _ => "The DMARC record",
    };

    private string Describe() =>
        string.Join(", ", _found.Select(f => $"{f.Record.ToString().ToUpperInvariant()} {(f.Status == DiagnosticStatus.NotChecked ? "not checked" : f.Status.ToString().ToLowerInvariant())}"));

    private void FreeMail(string domain, string owner)
    {
        foreach (var record in Enum.GetValues<SenderDomainRecord>())
        {
            _found.Add(new SenderDomainFinding(record, DiagnosticStatus.Pass, $"{domain} belongs to {owner}, which keeps its {record.ToString().ToUpperInvariant()} record: nothing for you to set."));
        }

        _context.Findings.Add(DiagnosticCheck.SpamReputation, DiagnosticStatus.Pass,
            $"The From domain {domain} belongs to {owner}, which keeps its SPF, DKIM and DMARC records: there is nothing for you to set in DNS.");
    }

    private void Add(SenderDomainRecord record, DiagnosticStatus status, string summary, string? evidence = null, string? advice = null)
    {
        _found.Add(new SenderDomainFinding(record, status, summary, evidence, advice));
        if (status == DiagnosticStatus.NotChecked)
        {
            DiagnosticsLog.SenderDomainNotChecked(_logger, _context.Endpoint, record, summary);
            _context.Findings.Note(DiagnosticCheck.SpamReputation, summary);
        }
        else
        {
            _context.Findings.Add(DiagnosticCheck.SpamReputation, status, summary, reply: status == DiagnosticStatus.Warning ? evidence : null, advice: advice);
        }
    }

    private void NotChecked(SenderDomainRecord record, string domain, string because) =>
        Add(record, DiagnosticStatus.NotChecked, $"{Name(record)} of {domain} was not checked: {because}.");

    private async Task CheckSpfAsync(SenderDomainLookup lookup, string domain, string sender, SenderDomainRules? rules, CancellationToken cancellationToken)
    {
        var records = await lookup.TxtAsync(domain, cancellationToken).ConfigureAwait(false);
        if (records is null)
        {
            NotChecked(SenderDomainRecord.Spf, domain, lookup.FailedBecause!);
            return;
        }

        var spf = records.Where(SpfRecord.IsSpfRecord).ToList();
        var include = rules is null ? "the include your provider's help pages give" : $"include:{rules.SpfInclude}";
        if (spf.Count == 0)
        {
            Add(SenderDomainRecord.Spf, DiagnosticStatus.Warning, $"{domain} has no SPF record, so receivers cannot tell which servers may send its mail.",
                advice: rules is null
                    ? $"Add a TXT record at {domain} that starts with \"v=spf1\" and names your email provider's servers (your provider's help pages give the exact text), ending with \"~all\"."
                    : $"Add a TXT record at {domain}: v=spf1 {include} ~all ({rules.Name}'s value, {rules.Source}).");
            return;
        }

        if (spf.Count > 1)
        {
            Add(SenderDomainRecord.Spf, DiagnosticStatus.Warning, $"{domain} has {spf.Count} SPF records, and receivers treat more than one as an error.", string.Join(" | ", spf),
                $"Merge them into one TXT record at {domain} that starts with \"v=spf1\" and names every service that sends your mail, then delete the others.");
            return;
        }

        var text = spf[0];
        if (!SpfRecord.TryParse(text, out _))
        {
            Add(SenderDomainRecord.Spf, DiagnosticStatus.Warning, $"The SPF record of {domain} cannot be read, so receivers ignore it.", text,
                $"Replace the TXT record at {domain} with a valid one: v=spf1 {include} ~all.");
            return;
        }

        if (rules is null)
        {
            Add(SenderDomainRecord.Spf, DiagnosticStatus.Pass,
                $"{domain} has an SPF record; whether it names your provider's servers was not checked, because the provider was not recognised.", text);
            return;
        }

        var result = await EvaluateSpfAsync(domain, sender, rules.SendingAddress, cancellationToken).ConfigureAwait(false);
        switch (result)
        {
            case null:
                NotChecked(SenderDomainRecord.Spf, domain, $"the SPF evaluation got no answer within {DiagnosticText.Seconds(_context.Options.DnsTimeout)}");
                break;
            case { Result: SpfQualifier.Pass }:
                Add(SenderDomainRecord.Spf, DiagnosticStatus.Pass, $"The SPF record of {domain} authorises {rules.Name}'s servers.", text);
                break;
            case { Result: SpfQualifier.TempError }:
                NotChecked(SenderDomainRecord.Spf, domain, "a DNS lookup during the SPF evaluation failed");
                break;
            case { Result: SpfQualifier.PermError }:
                Add(SenderDomainRecord.Spf, DiagnosticStatus.Warning, $"The SPF record of {domain} is broken (a receiver's evaluation ends in an error), so receivers cannot trust it.", text,
                    $"Make the TXT record at {domain} one valid SPF record that needs at most 10 DNS lookups, for example: v=spf1 {include} ~all.");
                break;
            default:
                var verdict = result.Result == SpfQualifier.Fail ? "receivers are told to refuse mail from them" : "receivers may file mail from them as spam";
                Add(SenderDomainRecord.Spf, DiagnosticStatus.Warning, $"The SPF record of {domain} does not authorise {rules.Name}'s servers, so {verdict}.", text,
                    $"Add \"{include}\" to the TXT record at {domain}, before its last term: v=spf1 {include}{text.Trim()["v=spf1".Length..]} ({rules.Source}).");
                break;
        }
    }

    private async Task<ValidationResult?> EvaluateSpfAsync(string domain, string sender, IPAddress sendingAddress, CancellationToken cancellationToken)
    {
        var options = _context.Options;
        var timeout = (int)options.DnsTimeout.TotalMilliseconds;
        var resolver = options.DnsServers.Count == 0
            ? new DnsStubResolver()
            : new DnsStubResolver(new ArDnsClient(
                options.DnsServers.Select(e => e.Address),
                [new UdpClientTransport(options.DnsServers[0].Port), new TcpClientTransport(options.DnsServers[0].Port)],
                false,
                timeout));
        var validator = new SpfValidator { DnsResolver = resolver, HeloDomain = DomainName.Parse(domain) };
        using var deadline = new CancellationTokenSource(options.DnsTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            return await validator.CheckHostAsync(sendingAddress, DomainName.Parse(domain), sender, false, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private async Task CheckDkimAsync(SenderDomainLookup lookup, string domain, SenderDomainRules? rules, CancellationToken cancellationToken)
    {
        if (rules is null)
        {
            NotChecked(SenderDomainRecord.Dkim, domain, "the provider was not recognised, so its DKIM selector is unknown");
            return;
        }

        var reader = new DkimKeyReader(lookup);
        var found = new List<string>();
        var problems = new List<string>();
        var missing = new List<string>();
        foreach (var selector in rules.DkimSelectors)
        {
            var name = $"{selector}._domainkey.{domain}";
            try
            {
                await reader.LocatePublicKeyAsync("dns/txt", domain, selector, cancellationToken).ConfigureAwait(false);
                found.Add(name);
            }
            catch (DnsLookupFailedException exception)
            {
                NotChecked(SenderDomainRecord.Dkim, domain, exception.Message);
                return;
            }
            catch (KeyNotFoundException)
            {
                missing.Add(name);
            }
            catch (Exception exception) when (exception is ParseException or FormatException or NotSupportedException or ArgumentException)
            {
                problems.Add($"{name}: {exception.Message}");
            }
        }

        var setup = string.Format(System.Globalization.CultureInfo.InvariantCulture, rules.DkimSetup, domain);
        if (missing.Count == 0 && problems.Count == 0)
        {
            Add(SenderDomainRecord.Dkim, DiagnosticStatus.Pass, $"{domain} publishes {rules.Name}'s DKIM key{(found.Count == 1 ? string.Empty : "s")} ({string.Join(", ", found)}).");
        }
        else if (problems.Count > 0)
        {
            Add(SenderDomainRecord.Dkim, DiagnosticStatus.Warning, $"The DKIM key of {domain} cannot be read, so receivers cannot verify {rules.Name}'s signature.", string.Join(" | ", problems),
                $"Publish the DKIM record exactly as {rules.Name} shows it: {setup}.");
        }
        else
        {
            Add(SenderDomainRecord.Dkim, DiagnosticStatus.Warning, $"{domain} publishes no DKIM key for {rules.Name} ({string.Join(", ", missing)}), so its mail is not signed for your domain.",
                advice: $"To sign your mail, {setup}.");
        }
    }

    private async Task CheckDmarcAsync(SenderDomainLookup lookup, string domain, CancellationToken cancellationToken)
    {
        var name = $"_dmarc.{domain}";
        var records = await lookup.TxtAsync(name, cancellationToken).ConfigureAwait(false);
        if (records is null)
        {
            NotChecked(SenderDomainRecord.Dmarc, domain, lookup.FailedBecause!);
            return;
        }

        var start = $"Add a TXT record at {name}: v=DMARC1; p=none; rua=mailto:postmaster@{domain} (reports of who sends as your domain go to that address); once the reports show your mail passing, change p=none to p=quarantine.";
        var dmarc = records.Where(DmarcPolicy.IsDmarcRecord).ToList();
        if (dmarc.Count == 0)
        {
            Add(SenderDomainRecord.Dmarc, DiagnosticStatus.Warning, $"{domain} has no DMARC record, which Gmail and Yahoo require of domains that send to many of their users.", advice: start);
            return;
        }

        if (dmarc.Count > 1)
        {
            Add(SenderDomainRecord.Dmarc, DiagnosticStatus.Warning, $"{domain} has {dmarc.Count} DMARC records, and receivers then apply none.", string.Join(" | ", dmarc),
                $"Keep one TXT record at {name} and delete the others.");
            return;
        }

        if (DmarcPolicy.Read(dmarc[0]) is not { } policy)
        {
            Add(SenderDomainRecord.Dmarc, DiagnosticStatus.Warning, $"The DMARC record of {domain} has no valid policy (p=none, quarantine or reject), so receivers ignore it.", dmarc[0],
                $"Replace the TXT record at {name}: v=DMARC1; p=none; rua=mailto:postmaster@{domain}.");
            return;
        }

        var alignment = $"alignment: DKIM {(policy.StrictDkim ? "strict" : "relaxed")}, SPF {(policy.StrictSpf ? "strict" : "relaxed")}";
        var strictNote = policy.StrictDkim || policy.StrictSpf ? $" Strict alignment passes only mail signed or sent as exactly {domain}, not a sub-domain." : string.Empty;
        if (policy.Policy == "none")
        {
            Add(SenderDomainRecord.Dmarc, DiagnosticStatus.Pass, $"{domain} has a DMARC record with p=none ({alignment}): receivers report on failing mail but still deliver it.{strictNote}", dmarc[0],
                $"Nothing is required. When the DMARC reports show your mail passing, change p=none to p=quarantine at {name}, so mail forged in your name goes to spam.");
            return;
        }

        Add(SenderDomainRecord.Dmarc, DiagnosticStatus.Pass, $"{domain} has a DMARC record with p={policy.Policy} ({alignment}).{strictNote}", dmarc[0]);
    }
}
