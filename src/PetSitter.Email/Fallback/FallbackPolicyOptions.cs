using System.ComponentModel.DataAnnotations;

namespace PetSitter.Email;

/// <summary>
/// The fallback policy: per category, what happens when the business's SMTP account cannot take a
/// message, and how long a deferred message may wait before it ends as failed.
/// </summary>
/// <remarks>
/// A refused recipient or a refused message never falls back, whatever the category's action: it would
/// be refused on the native channel too, so it ends as failed.
/// </remarks>
public sealed class FallbackPolicyOptions
{
    private const string FallbackActionError = "{0} is not a fallback action: use SendNative or Defer.";

    /// <summary>Gets or sets the action for <see cref="EmailCategory.Marketing"/> mail. Default: <see cref="SmtpFallbackAction.Defer"/>.</summary>
    [EnumDataType(typeof(SmtpFallbackAction), ErrorMessage = FallbackActionError)]
    public SmtpFallbackAction Marketing { get; set; } = FallbackConstants.DefaultMarketing;

    /// <summary>Gets or sets the action for <see cref="EmailCategory.General"/> mail. Default: <see cref="SmtpFallbackAction.SendNative"/>.</summary>
    [EnumDataType(typeof(SmtpFallbackAction), ErrorMessage = FallbackActionError)]
    public SmtpFallbackAction General { get; set; } = FallbackConstants.DefaultOther;

    /// <summary>Gets or sets the action for <see cref="EmailCategory.Quote"/> mail. Default: <see cref="SmtpFallbackAction.SendNative"/>.</summary>
    [EnumDataType(typeof(SmtpFallbackAction), ErrorMessage = FallbackActionError)]
    public SmtpFallbackAction Quote { get; set; } = FallbackConstants.DefaultOther;

    /// <summary>Gets or sets the action for <see cref="EmailCategory.Invoice"/> mail. Default: <see cref="SmtpFallbackAction.SendNative"/>.</summary>
    [EnumDataType(typeof(SmtpFallbackAction), ErrorMessage = FallbackActionError)]
    public SmtpFallbackAction Invoice { get; set; } = FallbackConstants.DefaultOther;

    /// <summary>Gets or sets the action for <see cref="EmailCategory.AccountSummary"/> mail. Default: <see cref="SmtpFallbackAction.SendNative"/>.</summary>
    [EnumDataType(typeof(SmtpFallbackAction), ErrorMessage = FallbackActionError)]
    public SmtpFallbackAction AccountSummary { get; set; } = FallbackConstants.DefaultOther;

    /// <summary>Gets or sets the action for <see cref="EmailCategory.SystemNotification"/> mail. Default: <see cref="SmtpFallbackAction.SendNative"/>.</summary>
    [EnumDataType(typeof(SmtpFallbackAction), ErrorMessage = FallbackActionError)]
    public SmtpFallbackAction SystemNotification { get; set; } = FallbackConstants.DefaultOther;

    /// <summary>
    /// Gets or sets how many times a deferred message is tried again before it ends as failed. A try
    /// counts whether SMTP was attempted or the account was still blocked. Range 1-1000. Default: 10.
    /// </summary>
    [Range(1, 1000)]
    public int MaxDeferredAttempts { get; set; } = FallbackConstants.DefaultMaxDeferredAttempts;

    /// <summary>
    /// Gets or sets how long a message may stay deferred in total, from its first deferral: when it
    /// would have to wait longer, it ends as failed. Range 1 minute - 30 days. Default: 3 days.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan MaxDeferral { get; set; } = FallbackConstants.DefaultMaxDeferral;

    /// <summary>
    /// Gets or sets how long a deferred message waits before its next try when the try gave no time of
    /// its own (for example, the settings could not be loaded). Range 1 second - 1 day. Default: 5 minutes.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan DeferredRetryDelay { get; set; } = FallbackConstants.DefaultDeferredRetryDelay;

    /// <summary>Gets or sets how often the background dispatcher looks for deferred messages that are due. Range 1 second - 1 hour. Default: 30 seconds.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan DeferredPollInterval { get; set; } = FallbackConstants.DefaultDeferredPollInterval;

    /// <summary>
    /// Gets or sets the most deferred messages taken from the queue in one batch; a full batch is followed
    /// by the next one at once. Range 1-10000. Default: 100.
    /// </summary>
    [Range(1, 10_000)]
    public int DeferredBatchSize { get; set; } = FallbackConstants.DefaultDeferredBatchSize;

    /// <summary>
    /// Gets or sets how many emails the embedded in-memory deferred queue holds at most in this process. When
    /// it is full, an email that would be deferred ends as <see cref="SendStatus.Failed"/> with a reason that
    /// says so (and a warning is logged): nothing is dropped silently. Emails already held are always put back
    /// after a try. A durable queue (Redis) is not bounded by this. Range 1-1000000. Default: 10000.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxInMemoryDeferred { get; set; } = FallbackConstants.DefaultMaxInMemoryDeferred;

    /// <summary>Returns the action for a category.</summary>
    /// <param name="category">The category.</param>
    /// <returns>The category's action.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="category"/> is not a defined category.</exception>
    public SmtpFallbackAction ActionFor(EmailCategory category) => category switch
    {
        EmailCategory.Marketing => Marketing,
        EmailCategory.General => General,
        EmailCategory.Quote => Quote,
        EmailCategory.Invoice => Invoice,
        EmailCategory.AccountSummary => AccountSummary,
        EmailCategory.SystemNotification => SystemNotification,
        _ => throw EmailCategoryExtensions.UndefinedCategory(category, nameof(category)),
    };
}
