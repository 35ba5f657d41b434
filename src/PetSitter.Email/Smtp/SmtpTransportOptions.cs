using System.ComponentModel.DataAnnotations;

namespace PetSitter.Email;

/// <summary>
/// How the SMTP transport talks to a business's server: how long one operation may take, how many
/// connections it opens to one account and how long a pooled connection is kept. Set through
/// <see cref="PetSitterEmailOptions.Smtp"/>.
/// </summary>
public sealed class SmtpTransportOptions
{
    /// <summary>
    /// Gets or sets the most SMTP connections open at once to one account (Microsoft 365 allows 3 per
    /// mailbox). An account's own <see cref="SmtpAccountSettings.MaxConnections"/> overrides it. Range 1-100.
    /// Default: 3.
    /// </summary>
    [Range(1, 100)]
    public int MaxConnectionsPerAccount { get; set; } = SmtpTransportConstants.DefaultMaxConnectionsPerAccount;

    /// <summary>
    /// Gets or sets how long one SMTP operation (connect, a command, the message upload) may take.
    /// Range 1 second - 10 minutes. Default: 30 seconds.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan Timeout { get; set; } = SmtpTransportConstants.DefaultTimeout;

    /// <summary>
    /// Gets or sets how long an unused pooled SMTP connection is kept before it is closed.
    /// Range 1 second - 1 hour. Default: 60 seconds.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ConnectionIdleTimeout { get; set; } = SmtpTransportConstants.DefaultConnectionIdleTimeout;

    /// <summary>
    /// Gets or sets how long an SMTP send may wait for a free pooled connection.
    /// Range 1 second - 10 minutes. Default: 30 seconds.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan ConnectionWaitTimeout { get; set; } = SmtpTransportConstants.DefaultConnectionWaitTimeout;
}
