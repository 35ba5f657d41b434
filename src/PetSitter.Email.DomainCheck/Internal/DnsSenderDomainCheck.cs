using System.Globalization;
using System.Net;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using ARSoft.Tools.Net.Spf;
using ArDnsClient = ARSoft.Tools.Net.Dns.DnsClient;
using SpfRecord = ARSoft.Tools.Net.Spf.SpfRecord;
using MimeKit;

namespace PetSitter.Email.DomainCheck;

/// <summary>
/// Checks a From domain's records the way receivers do before they trust its mail: SPF (does the record authorise
/// the provider's servers: ARSoft.Tools.Net evaluates it for an address the provider sends from), DKIM (a key at the
/// provider's selectors, read by MimeKit) and DMARC (the policy and alignment at <c>_dmarc</c>). The provider facts
/// come with the request, from the core's catalogue; this class keeps none.
/// </summary>
internal sealed class DnsSenderDomainCheck : ISenderDomainCheck
{
    private readonly TimeProvider _time;

    public DnsSenderDomainCheck(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<SenderDomainFinding>> CheckAsync(SenderDomainCheckRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var run = new Run(request, _time);
        await run.CheckSpfAsync(cancellationToken).ConfigureAwait(false);
        await run.CheckDkimAsync(cancellationToken).ConfigureAwait(false);
        await run.CheckDmarcAsync(cancellationToken).ConfigureAwait(false);
        return run.Found;
    }

    internal static string Seconds(TimeSpan span) => string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0.###} s");

    /// <summary>One check of one domain: its lookups share one failure memory (<see cref="SenderDomainLookup"/>).</summary>
    private sealed class Run
    {
        private readonly SenderDomainCheckRequest _request;
        private readonly TimeProvider _time;
        private readonly SenderDomainLookup _lookup;

        public Run(SenderDomainCheckRequest request, TimeProvider time)
        {
            _request = request;
            _time = time;
            _lookup = new SenderDomainLookup(request.DnsServers, request.DnsTimeout, time);
        }

        public List<SenderDomainFinding> Found { get; } = [];

        private static string Name(SenderDomainRecord record) => record switch
        {
            SenderDomainRecord.Spf => "The SPF record",
            SenderDomainRecord.Dkim => "The DKIM key",
            _ => "The DMARC record",
        };

        private void Add(SenderDomainRecord record, DiagnosticStatus status, string summary, string? evidence = null, string? advice = null) =>
            Found.Add(new SenderDomainFinding(record, status, summary, evidence, advice));

        private void NotChecked(SenderDomainRecord record, string domain, string because) =>
            Add(record, DiagnosticStatus.NotChecked, $"{Name(record)} of {domain} was not checked: {because}.");

        public async Task CheckSpfAsync(CancellationToken cancellationToken)
        {
            var (lookup, domain, rules) = (_lookup, _request.Domain, _request.Provider);
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

            var result = await EvaluateSpfAsync(domain, _request.Sender, rules.SendingAddress, cancellationToken).ConfigureAwait(false);
            switch (result)
            {
                case null:
                    NotChecked(SenderDomainRecord.Spf, domain, $"the SPF evaluation got no answer within {Seconds(_request.DnsTimeout)}");
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
            var options = _request;
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

        public async Task CheckDkimAsync(CancellationToken cancellationToken)
        {
            var (lookup, domain, rules) = (_lookup, _request.Domain, _request.Provider);
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

            var setup = string.Format(CultureInfo.InvariantCulture, rules.DkimSetup, domain);
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

        public async Task CheckDmarcAsync(CancellationToken cancellationToken)
        {
            var (lookup, domain) = (_lookup, _request.Domain);
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
}
