namespace PetSitter.Email.Extensibility;

/// <summary>
/// What an account has used of its limits at one moment, for a health page. Counts are conservative: a
/// send is counted until the whole slice of time it was counted in has left the window, so a count can
/// be slightly higher than an exact one, never lower.
/// </summary>
public sealed class QuotaSnapshot
{
    /// <summary>Gets when the snapshot was taken.</summary>
    public DateTimeOffset AsOf { get; init; }

    /// <summary>Gets the messages counted in the last second, or <see langword="null"/> when that window is not tracked.</summary>
    public int? MessagesLastSecond { get; init; }

    /// <summary>Gets the messages counted in the last minute, or <see langword="null"/> when that window is not tracked.</summary>
    public int? MessagesLastMinute { get; init; }

    /// <summary>Gets the messages counted in the last hour, or <see langword="null"/> when that window is not tracked.</summary>
    public int? MessagesLastHour { get; init; }

    /// <summary>Gets the messages counted in the last 24 hours, or <see langword="null"/> when that window is not tracked.</summary>
    public int? MessagesLastDay { get; init; }

    /// <summary>Gets the recipients counted in the last 24 hours, or <see langword="null"/> when that window is not tracked.</summary>
    public int? RecipientsLastDay { get; init; }

    /// <summary>
    /// Gets until when the provider's own quota reply holds the account, or <see langword="null"/> when it
    /// does not (see <see cref="ISendQuotaStore.MarkExhaustedAsync"/>).
    /// </summary>
    public DateTimeOffset? ExhaustedUntil { get; init; }

    /// <summary>Gets why the account is held (usually the provider's reply), or <see langword="null"/> when it is not.</summary>
    public string? ExhaustedReason { get; init; }
}
