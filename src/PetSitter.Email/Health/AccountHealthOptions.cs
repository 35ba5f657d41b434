using System.ComponentModel.DataAnnotations;

namespace PetSitter.Email;

/// <summary>How an SMTP account's breaker behaves after an account-level failure.</summary>
public sealed class AccountHealthOptions
{
    /// <summary>
    /// Gets or sets how long SMTP is not tried after a wrong password or expired credentials when the stored
    /// credentials do not change; then exactly one send probes them. Repeated bad logins lock mailboxes, so
    /// this is long. Range 1 minute - 7 days. Default: 6 hours.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan CredentialProbeInterval { get; set; } = AccountHealthConstants.DefaultCredentialProbeInterval;

    /// <summary>
    /// Gets or sets the wait before the first probe after another account-level failure (account unavailable,
    /// wrong settings, provider requirements); each failed probe multiplies the wait by 4, up to
    /// <see cref="MaxProbeInterval"/>. Range 1 second - 1 hour. Default: 1 minute.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan InitialProbeInterval { get; set; } = AccountHealthConstants.DefaultInitialProbeInterval;

    /// <summary>Gets or sets the longest wait between probes of a failing account. Range 1 second - 1 day, and at least <see cref="InitialProbeInterval"/>. Default: 1 hour.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan MaxProbeInterval { get; set; } = AccountHealthConstants.DefaultMaxProbeInterval;

    /// <summary>
    /// Gets or sets how long an account stays throttled after its sending limit was reached when the limit
    /// gave no reset time (a provider's bare "quota exceeded" reply). Range 1 minute - 1 day. Default: 1 hour.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan DefaultThrottleDuration { get; set; } = AccountHealthConstants.DefaultThrottleDuration;

    /// <summary>
    /// Gets or sets how long a probe may go unanswered (a send that never reported its result) before
    /// another send may probe. Range 10 seconds - 1 hour. Default: 5 minutes.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:10", "01:00:00")]
    public TimeSpan ProbeTimeout { get; set; } = AccountHealthConstants.DefaultProbeTimeout;
}
