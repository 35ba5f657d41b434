namespace PetSitter.Email;

/// <summary>How an SMTP account's breaker behaves after an account-level failure.</summary>
public sealed class AccountHealthOptions
{
    /// <summary>
    /// Gets or sets how long SMTP is not tried after a wrong password or expired credentials when the stored
    /// credentials do not change; then exactly one send probes them. Repeated bad logins lock mailboxes, so
    /// this is long. Range 1 minute - 7 days. Default: 6 hours.
    /// </summary>
    public TimeSpan CredentialProbeInterval { get; set; } = TimeSpan.FromHours(6);

    /// <summary>
    /// Gets or sets the wait before the first probe after another account-level failure (account unavailable,
    /// wrong settings, provider requirements); each failed probe multiplies the wait by 4, up to
    /// <see cref="MaxProbeInterval"/>. Range 1 second - 1 hour. Default: 1 minute.
    /// </summary>
    public TimeSpan InitialProbeInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Gets or sets the longest wait between probes of a failing account. Range <see cref="InitialProbeInterval"/> - 1 day. Default: 1 hour.</summary>
    public TimeSpan MaxProbeInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Gets or sets how long an account stays throttled after its sending limit was reached when the limit
    /// gave no reset time (a provider's bare "quota exceeded" reply). Range 1 minute - 1 day. Default: 1 hour.
    /// </summary>
    public TimeSpan DefaultThrottleDuration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Gets or sets how long a probe may go unanswered (a send that never reported its result) before
    /// another send may probe. Range 10 seconds - 1 hour. Default: 5 minutes.
    /// </summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromMinutes(5);
}
