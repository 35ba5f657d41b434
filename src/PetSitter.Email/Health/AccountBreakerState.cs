using Polly.CircuitBreaker;

namespace PetSitter.Email.Extensibility;

/// <summary>
/// One account's breaker as a shared store holds it, for <see cref="ILocalAccountBreaker.Mirror"/>: the
/// circuit, the health it shows, the failure behind it and when SMTP may be tried again.
/// </summary>
/// <param name="Circuit">Closed (healthy), open (blocked until <paramref name="RetryAt"/>) or half-open (one probe in flight).</param>
/// <param name="State">The health shown for an open or half-open circuit: throttled or failing.</param>
/// <param name="Failure">The failure behind an open or half-open circuit.</param>
/// <param name="RetryAt">When an open circuit admits sends (throttled) or a probe (failing).</param>
/// <param name="Since">When the account entered its state.</param>
/// <param name="FailedProbes">How many probes in a row failed.</param>
public readonly record struct AccountBreakerState(
    CircuitState Circuit,
    AccountHealthState State,
    SmtpFailure? Failure,
    DateTimeOffset RetryAt,
    DateTimeOffset Since,
    int FailedProbes)
{
    /// <summary>Gets the state of a healthy account: closed, no failure.</summary>
    public static AccountBreakerState Closed { get; } = new(CircuitState.Closed, AccountHealthState.Healthy, null, default, default, 0);
}
