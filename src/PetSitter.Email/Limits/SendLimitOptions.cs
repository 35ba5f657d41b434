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

    /// <summary>
    /// Gets or sets the percentage of each hour and day limit (messages per hour, per day, recipients per day) that
    /// <see cref="EmailCategory.Marketing"/> may use: a campaign is paused once the account's count in that window reaches
    /// this share, so quotes, invoices and other direct mail keep the rest of the owner's mailbox for the same day.
    /// Direct mail may still use the whole limit. Per-second and per-minute limits are pacing, not capacity, and
    /// are not shared out. A business overrides it with <see cref="SmtpAccountSettings.MarketingSharePercent"/>;
    /// 100 turns the reserve off. Range 1 - 100. Default: 60.
    /// </summary>
    [Range(1, 100)]
    public int MarketingSharePercent { get; set; } = SendLimitConstants.DefaultMarketingSharePercent;

    /// <summary>
    /// Gets or sets how many messages a mailbox new to the library may send in its first day while marketing is
    /// sent (50 is a cautious start): the warm-up ceiling, which doubles every day until it reaches the account's daily
    /// limit. Marketing over the ceiling is deferred to a later day, never dropped. The mailbox's history (when the
    /// library first sent through it) lives in the <see cref="ISendQuotaStore"/>, which knows nothing of what the mailbox
    /// sent before the library (and, in memory, nothing from before a restart): so it is off by default, and an app turns
    /// it on for the mailboxes it knows are new with <see cref="SmtpAccountSettings.MarketingWarmUpFirstDay"/>, or for
    /// all here. 0 turns the warm-up off. Range 0 - 1,000,000. Default: 0 (off).
    /// </summary>
    [Range(0, SendLimits.MaxLimit)]
    public int MarketingWarmUpFirstDay { get; set; } = SendLimitConstants.DefaultMarketingWarmUpFirstDay;
}
