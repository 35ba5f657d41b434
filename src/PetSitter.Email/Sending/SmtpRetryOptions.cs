using System.ComponentModel.DataAnnotations;

namespace PetSitter.Email;

/// <summary>
/// How a send to SMTP is retried after a transient failure and how long one attempt may take. Set
/// through <see cref="PetSitterEmailOptions.Retry"/>.
/// </summary>
public sealed class SmtpRetryOptions
{
    /// <summary>
    /// Gets or sets how many times a send that failed for a transient reason (a 4xx reply, a connection
    /// lost before the message was handed over) is retried on SMTP before the fallback policy applies.
    /// Never used once the server may have the message. Range 0-5 (0 turns retries off). Default: 2.
    /// </summary>
    [Range(0, 5)]
    public int MaxRetryAttempts { get; set; } = SmtpRetryConstants.DefaultMaxRetryAttempts;

    /// <summary>
    /// Gets or sets the first retry's delay; later ones grow exponentially, with jitter.
    /// Range 0 - 1 minute. Default: 1 second.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan Delay { get; set; } = SmtpRetryConstants.DefaultDelay;

    /// <summary>
    /// Gets or sets how long one SMTP attempt (connect, sign in, the wait for a send-limit slot, send) may
    /// take in all before it is abandoned as not sent. Must be at least <see cref="SmtpTransportOptions.Timeout"/>
    /// and longer than <see cref="SendLimitOptions.MaxThrottleWait"/>. Range 1 second - 30 minutes.
    /// Default: 2 minutes.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:30:00")]
    public TimeSpan AttemptTimeout { get; set; } = SmtpRetryConstants.DefaultAttemptTimeout;
}
