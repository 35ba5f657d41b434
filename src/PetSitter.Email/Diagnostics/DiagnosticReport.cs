namespace PetSitter.Email;

/// <summary>
/// The result of diagnosing one SMTP account: one <see cref="DiagnosticFinding"/> per question of
/// "What can go wrong with SMTP?", the steps that were run, and a verdict.
/// </summary>
public sealed class DiagnosticReport
{
    private readonly DiagnosticFinding[] _findings;

    /// <summary>Creates a report (the library creates them; tests of code that reads reports may too).</summary>
    /// <param name="host">The SMTP host diagnosed.</param>
    /// <param name="port">The port diagnosed.</param>
    /// <param name="security">The security mode used (after <see cref="SmtpSecurity.Auto"/> was resolved).</param>
    /// <param name="findings">At most one finding per <see cref="DiagnosticCheck"/>; a missing one is reported as not checked.</param>
    /// <exception cref="ArgumentException">Two findings answer the same question.</exception>
    public DiagnosticReport(string host, int port, SmtpSecurity security, IEnumerable<DiagnosticFinding> findings)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(findings);
        Host = host;
        Port = port;
        Security = security;

        var byCheck = new Dictionary<DiagnosticCheck, DiagnosticFinding>();
        foreach (var finding in findings)
        {
            ArgumentNullException.ThrowIfNull(finding, nameof(findings));
            if (!byCheck.TryAdd(finding.Check, finding))
            {
                throw new ArgumentException($"Two findings answer {finding.Check}: give one finding per question.", nameof(findings));
            }
        }

        _findings = [.. Enum.GetValues<DiagnosticCheck>().Select(check =>
            byCheck.TryGetValue(check, out var finding) ? finding : new DiagnosticFinding(check, DiagnosticStatus.NotChecked, "Not checked."))];
    }

    /// <summary>Gets the SMTP host diagnosed.</summary>
    public string Host { get; }

    /// <summary>Gets the port diagnosed.</summary>
    public int Port { get; }

    /// <summary>Gets the security mode used (never <see cref="SmtpSecurity.Auto"/> when the library made the report).</summary>
    public SmtpSecurity Security { get; }

    /// <summary>
    /// Gets the known provider the diagnosis assumed (for example <c>Gmail</c>): the one the account names
    /// (<see cref="SmtpAccountSettings.Provider"/>, <c>diagnose --provider</c>), else the host's, else the one
    /// the server's greeting or EHLO banner names; <see langword="null"/> when none was recognised.
    /// <see cref="ProviderBecause"/> says why. Default: <see langword="null"/>.
    /// </summary>
    public string? Provider { get; init; }

    /// <summary>
    /// Gets what identified <see cref="Provider"/>, for example "the server introduced itself as "220 ...
    /// Microsoft ESMTP MAIL Service ready ..."", or <see langword="null"/> when no provider was assumed.
    /// Default: <see langword="null"/>.
    /// </summary>
    public string? ProviderBecause { get; init; }

    /// <summary>
    /// Gets the security mode the server showed it speaks on this port when the configured one failed (for
    /// example <see cref="SmtpSecurity.ImplicitTls"/> when STARTTLS was configured on a port that starts with
    /// TLS), or <see langword="null"/> when the configured mode is right or nothing better was found.
    /// Default: <see langword="null"/>.
    /// </summary>
    public SmtpSecurity? SuggestedSecurity { get; init; }

    /// <summary>Gets what was done, step by step, with the time each step took. Default: empty.</summary>
    public IReadOnlyList<string> Steps { get; init; } = [];

    /// <summary>
    /// Gets the From address's domain whose DNS records were checked (see <see cref="SenderDomainFindings"/>), or
    /// <see langword="null"/> when none was (no From address, or <see cref="DiagnosticOptions.CheckSenderDomain"/> off).
    /// Default: <see langword="null"/>.
    /// </summary>
    public string? SenderDomain { get; init; }

    /// <summary>
    /// Gets what the From domain's SPF, DKIM and DMARC records say, one finding per record, each with what to change
    /// in DNS. They also answer <see cref="DiagnosticCheck.SpamReputation"/> (a missing record is a warning there).
    /// Default: empty.
    /// </summary>
    public IReadOnlyList<SenderDomainFinding> SenderDomainFindings { get; init; } = [];

    /// <summary>Gets when the diagnosis ran. Default: <see cref="DateTimeOffset.MinValue"/>.</summary>
    public DateTimeOffset CheckedAt { get; init; }

    /// <summary>Gets one finding per question, in the order of <see cref="DiagnosticCheck"/>.</summary>
    public IReadOnlyList<DiagnosticFinding> Findings => _findings;

    /// <summary>Gets whether no question failed: mail can go out through this account (warnings may still need attention).</summary>
    public bool IsHealthy => _findings.All(f => f.Status != DiagnosticStatus.Fail);

    /// <summary>Gets the finding that answers <paramref name="check"/>.</summary>
    /// <param name="check">The question.</param>
    /// <returns>The finding (never <see langword="null"/>: unanswered questions are reported as not checked).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="check"/> is not a defined value.</exception>
    public DiagnosticFinding this[DiagnosticCheck check] =>
        Array.Find(_findings, f => f.Check == check) ?? throw new ArgumentOutOfRangeException(nameof(check), check, "Not a DiagnosticCheck.");

    /// <inheritdoc />
    public override string ToString()
    {
        var failed = _findings.Where(f => f.Status == DiagnosticStatus.Fail).ToList();
        return failed.Count == 0
            ? $"{Host}:{Port} ({Security}): healthy"
            : $"{Host}:{Port} ({Security}): {string.Join("; ", failed.Select(f => f.FailureKind is { } kind ? $"{f.Check} failed ({kind})" : $"{f.Check} failed"))}";
    }
}
