namespace PetSitter.Email;

/// <summary>
/// What a diagnosis found in one DNS record of the From address's domain (SPF, DKIM or DMARC), and what the owner
/// should change in the domain's DNS. A lookup that failed or timed out is <see cref="DiagnosticStatus.NotChecked"/>,
/// never <see cref="DiagnosticStatus.Fail"/>: a DNS problem of the moment says nothing about the records.
/// </summary>
public sealed class SenderDomainFinding
{
    /// <summary>Creates a finding (the library creates them; tests of code that reads reports may too).</summary>
    /// <param name="record">The record checked.</param>
    /// <param name="status">The answer: pass, warning, or not checked.</param>
    /// <param name="summary">What was found, in one sentence.</param>
    /// <param name="evidence">The record as published, or the DNS error, if any.</param>
    /// <param name="advice">What to change in the domain's DNS, in plain words, if anything.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="record"/> or <paramref name="status"/> is not a defined value.</exception>
    /// <exception cref="ArgumentException"><paramref name="summary"/> is empty.</exception>
    public SenderDomainFinding(SenderDomainRecord record, DiagnosticStatus status, string summary, string? evidence = null, string? advice = null)
    {
        if (!Enum.IsDefined(record))
        {
            throw new ArgumentOutOfRangeException(nameof(record), record, "Not a SenderDomainRecord.");
        }

        if (!Enum.IsDefined(status))
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, "Not a DiagnosticStatus.");
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(summary);
        Record = record;
        Status = status;
        Summary = summary;
        Evidence = string.IsNullOrWhiteSpace(evidence) ? null : evidence;
        Advice = string.IsNullOrWhiteSpace(advice) ? null : advice;
    }

    /// <summary>Gets the record checked.</summary>
    public SenderDomainRecord Record { get; }

    /// <summary>Gets the answer: <see cref="DiagnosticStatus.Pass"/>, <see cref="DiagnosticStatus.Warning"/> or <see cref="DiagnosticStatus.NotChecked"/>.</summary>
    public DiagnosticStatus Status { get; }

    /// <summary>Gets what was found, for example "pawsandclaws.example has no SPF record.".</summary>
    public string Summary { get; }

    /// <summary>Gets the record as published (for example <c>v=DMARC1; p=none</c>) or the DNS error; <see langword="null"/> when there is none.</summary>
    public string? Evidence { get; }

    /// <summary>Gets what to change in the domain's DNS, in plain words; <see langword="null"/> when nothing needs changing.</summary>
    public string? Advice { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Record}: {Status}: {Summary}";
}
