using Microsoft.Extensions.Logging;
using MimeKit;

namespace PetSitter.Email.Diagnostics;

/// <summary>
/// Checks the From address's domain the way receivers do before they trust its mail (SPF, DKIM, DMARC). What needs no
/// DNS is answered here from the provider catalogue: a free-mail domain's records are its provider's, and a name
/// reserved for examples is never in public DNS. The lookups themselves are the registered
/// <see cref="ISenderDomainCheck"/>'s (the PetSitter.Email.DomainCheck package), so the core carries no DNS library.
/// Findings go to <see cref="DiagnosticCheck.SpamReputation"/> and to the report's <see cref="DiagnosticReport.SenderDomainFindings"/>.
/// </summary>
/// <remarks>
/// Runs after the SMTP steps, whatever they found: the records do not depend on the server answering, and the
/// server's banner may have named the provider behind an owner's own host name.
/// </remarks>
internal sealed class SenderDomainStep
{
    /// <summary>Why the records were not checked when no <see cref="ISenderDomainCheck"/> is registered.</summary>
    internal const string NoCheckRegistered =
        "the app has no DNS check registered (add the PetSitter.Email.DomainCheck package and call services.AddPetSitterEmailDomainCheck())";

    private static readonly string[] ReservedSuffixes = [".example", ".test", ".invalid", ".localhost"];
    private static readonly string[] ReservedDomains = ["example.com", "example.net", "example.org"];

    private readonly DiagnosticContext _context;
    private readonly ISenderDomainCheck? _check;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly List<SenderDomainFinding> _found = [];

    public SenderDomainStep(DiagnosticContext context, ISenderDomainCheck? check, TimeProvider time, ILogger logger)
    {
        _context = context;
        _check = check;
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
            NotCheckedAll(domain, "the name is reserved for examples and tests, and public DNS never has it");
        }
        else if (_check is null)
        {
            NotCheckedAll(domain, NoCheckRegistered);
            _context.AddStep($"Check the DNS records of {domain} (SPF, DKIM, DMARC): not checked, {NoCheckRegistered}.");
        }
        else
        {
            var started = _time.GetTimestamp();
            var rules = SmtpProviderCatalogue.SenderDomainRulesFor(_context.Detection.Provider);
            var request = new SenderDomainCheckRequest(domain, mailbox.Address) { Provider = rules, DnsServers = options.DnsServers, DnsTimeout = options.DnsTimeout };
            IReadOnlyList<SenderDomainFinding> findings;
            try
            {
                findings = await _check.CheckAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // A check of the app's own that throws must not cost the rest of the report.
                findings = [.. Enum.GetValues<SenderDomainRecord>().Select(r => new SenderDomainFinding(r, DiagnosticStatus.NotChecked,
                    $"{Name(r)} of {domain} was not checked: the DNS check failed ({exception.GetType().Name}: {exception.Message}).", exception.Message))];
            }

            foreach (var finding in findings)
            {
                Add(finding);
            }

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

    private void NotCheckedAll(string domain, string because)
    {
        foreach (var record in Enum.GetValues<SenderDomainRecord>())
        {
            var summary = $"{Name(record)} of {domain} was not checked: {because}.";
            _found.Add(new SenderDomainFinding(record, DiagnosticStatus.NotChecked, summary));
            DiagnosticsLog.SenderDomainNotChecked(_logger, _context.Endpoint, record, summary);
        }

        // One note for the three records: they were skipped for the same reason.
        _context.Findings.Note(DiagnosticCheck.SpamReputation, $"The SPF, DKIM and DMARC records of {domain} were not checked: {because}.");
    }

    private void Add(SenderDomainFinding finding)
    {
        _found.Add(finding);
        if (finding.Status == DiagnosticStatus.NotChecked)
        {
            DiagnosticsLog.SenderDomainNotChecked(_logger, _context.Endpoint, finding.Record, finding.Summary);
            _context.Findings.Note(DiagnosticCheck.SpamReputation, finding.Summary);
        }
        else
        {
            _context.Findings.Add(DiagnosticCheck.SpamReputation, finding.Status, finding.Summary,
                reply: finding.Status == DiagnosticStatus.Warning ? finding.Evidence : null, advice: finding.Advice);
        }
    }
}
