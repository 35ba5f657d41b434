using System.ComponentModel.DataAnnotations;

namespace PetSitter.Email;

/// <summary>How the library waits for send limits before it gives a message its fallback policy.</summary>
public sealed class SendLimitOptions
{
    /// <summary>
    /// Gets or sets the longest a send waits in total for a limit to free up (typically a per-second or
    /// per-minute slot). When the account can send again only later than this, the message is not held:
    /// it gets its category's fallback policy with the time the account can send again. Counted from when the
    /// SMTP channel took the message (the wait for a connection counts), and served first come, first served
    /// among the account's waiting sends; the message is counted right before its MAIL FROM is written.
    /// <see cref="TimeSpan.Zero"/> never waits. Must be shorter than <see cref="SmtpRetryOptions.AttemptTimeout"/>.
    /// Range 0 - 1 minute. Default: 2 seconds.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan MaxThrottleWait { get; set; } = SendLimitConstants.DefaultMaxThrottleWait;
}
