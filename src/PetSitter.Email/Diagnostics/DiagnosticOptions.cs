using System.Net;

namespace PetSitter.Email;

/// <summary>How a diagnosis of an SMTP account runs.</summary>
public sealed class DiagnosticOptions
{
    /// <summary>The default <see cref="StepTimeout"/>: 15 seconds.</summary>
    public static readonly TimeSpan DefaultStepTimeout = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Gets the longest any one step may take (name resolution, connecting, TLS and greeting, signing in,
    /// the sender check, the test message). A server that stays silent longer is reported as not answering.
    /// Default: 15 seconds.
    /// </summary>
    public TimeSpan StepTimeout { get; init; } = DefaultStepTimeout;

    /// <summary>
    /// Gets the address a real test message is sent to, or <see langword="null"/> to send nothing (the
    /// sender is checked with MAIL FROM, RCPT TO the From address itself, and then RSET). Default: <see langword="null"/>.
    /// </summary>
    public string? TestRecipient { get; init; }

    /// <summary>
    /// Gets the account's last recorded health (from <see cref="IAccountHealthMonitor.GetHealth"/>), shown
    /// beside what the live check found, or <see langword="null"/> when there is none. Default: <see langword="null"/>.
    /// </summary>
    public AccountHealth? RecordedHealth { get; init; }

    /// <summary>The default <see cref="DnsTimeout"/>: 5 seconds.</summary>
    public static readonly TimeSpan DefaultDnsTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Gets whether the From address's domain is checked in DNS (SPF, DKIM, DMARC), under the spam question; see
    /// <see cref="DiagnosticReport.SenderDomainFindings"/>. The lookups are made by the registered
    /// <see cref="ISenderDomainCheck"/> (the PetSitter.Email.DomainCheck package, <c>AddPetSitterEmailDomainCheck()</c>);
    /// without one, an owner's own domain is reported as not checked. Default: <see langword="true"/>.
    /// </summary>
    public bool CheckSenderDomain { get; init; } = true;

    /// <summary>
    /// Gets the DNS servers the sender-domain check asks, or an empty list for the system's own. All endpoints must
    /// share one port (the SPF evaluation asks them all on it). With the system's servers, names reserved for examples
    /// and tests (<c>.example</c>, <c>.test</c>, <c>.invalid</c>, <c>.localhost</c>, <c>example.com</c>) are not looked
    /// up: public DNS never has them. Default: empty (the system's servers).
    /// </summary>
    public IReadOnlyList<IPEndPoint> DnsServers { get; init; } = [];

    /// <summary>
    /// Gets the longest one DNS lookup (and the SPF evaluation as a whole) may take. A server that stays silent
    /// longer leaves the record not checked, and no further lookup is made. Default: 5 seconds.
    /// </summary>
    public TimeSpan DnsTimeout { get; init; } = DefaultDnsTimeout;

    /// <summary>Checks the options and returns one message per problem; empty when they are usable.</summary>
    internal IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (StepTimeout <= TimeSpan.Zero || StepTimeout > TimeSpan.FromMinutes(10))
        {
            errors.Add($"{nameof(StepTimeout)} {StepTimeout} is out of range: use more than zero and at most 10 minutes.");
        }

        if (DnsTimeout <= TimeSpan.Zero || DnsTimeout > TimeSpan.FromMinutes(1))
        {
            errors.Add($"{nameof(DnsTimeout)} {DnsTimeout} is out of range: use more than zero and at most 1 minute.");
        }

        if (DnsServers is null || DnsServers.Any(e => e is null))
        {
            errors.Add($"{nameof(DnsServers)} holds a null endpoint: give each DNS server's address and port, or leave the list empty for the system's servers.");
        }
        else if (DnsServers.Select(e => e.Port).Distinct().Count() > 1)
        {
            errors.Add($"{nameof(DnsServers)} use more than one port ({string.Join(", ", DnsServers)}): give servers that all listen on the same port.");
        }

        if (TestRecipient is not null && !EmailAddressRules.IsMailbox(TestRecipient))
        {
            errors.Add($"{nameof(TestRecipient)} '{TestRecipient}' is not an email address: give the address the test message should go to.");
        }

        return errors;
    }
}
