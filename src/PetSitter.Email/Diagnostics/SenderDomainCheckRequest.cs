using System.Net;

namespace PetSitter.Email.Extensibility;

/// <summary>What <see cref="ISenderDomainCheck"/> is asked to check; the diagnosis fills it from the account, the options and the provider catalogue.</summary>
public sealed class SenderDomainCheckRequest
{
    /// <summary>Creates a request.</summary>
    /// <param name="domain">The From address's domain, lower case, without a trailing dot.</param>
    /// <param name="sender">The From address (the SPF evaluation's sender).</param>
    /// <exception cref="ArgumentException"><paramref name="domain"/> or <paramref name="sender"/> is empty.</exception>
    public SenderDomainCheckRequest(string domain, string sender)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(domain);
        ArgumentException.ThrowIfNullOrWhiteSpace(sender);
        Domain = domain;
        Sender = sender;
    }

    /// <summary>Gets the domain whose records are checked, for example <c>pawsandclaws.example</c>.</summary>
    public string Domain { get; }

    /// <summary>Gets the From address, for example <c>hello@pawsandclaws.example</c>.</summary>
    public string Sender { get; }

    /// <summary>
    /// Gets what the provider catalogue knows of the recognised provider (its SPF include, an address it sends from,
    /// its DKIM selectors), or <see langword="null"/> when the provider was not recognised or the catalogue knows nothing
    /// of its domains.
    /// </summary>
    public SenderDomainRules? Provider { get; init; }

    /// <summary>Gets the DNS servers to ask (all on one port), or an empty list for the system's own (see <see cref="DiagnosticOptions.DnsServers"/>).</summary>
    public IReadOnlyList<IPEndPoint> DnsServers { get; init; } = [];

    /// <summary>Gets the longest one lookup (and the SPF evaluation as a whole) may take (see <see cref="DiagnosticOptions.DnsTimeout"/>).</summary>
    public TimeSpan DnsTimeout { get; init; } = DiagnosticOptions.DefaultDnsTimeout;
}
