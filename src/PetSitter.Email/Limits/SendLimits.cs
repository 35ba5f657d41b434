using System.Globalization;
using System.Text;

namespace PetSitter.Email;

/// <summary>
/// How much one SMTP account may send: messages per second, minute, hour and rolling day, recipients
/// per rolling day and per message. Each limit is optional: <see langword="null"/> means no limit.
/// </summary>
/// <remarks>
/// Presets come from <see cref="ProviderPresets"/>; override some fields of one with
/// <see cref="WithOverrides"/> (field by field) or a <see langword="with"/> expression.
/// Every window is rolling: "per day" means any 24 hours, not a calendar day.
/// </remarks>
public sealed record SendLimits
{
    /// <summary>The largest value any limit accepts.</summary>
    public const int MaxLimit = 1_000_000;

    /// <summary>Gets limits that limit nothing.</summary>
    public static SendLimits None { get; } = new();

    /// <summary>
    /// Gets the most messages in any 1 second, or <see langword="null"/> for no limit. The in-memory store counts
    /// at most 255 sends in each 40 ms of a second, so above 6,375 this limit behaves as 6,375 (no mailbox
    /// allows nearly as many). Default: <see langword="null"/>.
    /// </summary>
    public int? MessagesPerSecond { get; init; }

    /// <summary>Gets the most messages in any 60 seconds, or <see langword="null"/> for no limit. Default: <see langword="null"/>.</summary>
    public int? MessagesPerMinute { get; init; }

    /// <summary>Gets the most messages in any 60 minutes, or <see langword="null"/> for no limit. Default: <see langword="null"/>.</summary>
    public int? MessagesPerHour { get; init; }

    /// <summary>Gets the most messages in any 24 hours (rolling, as providers count), or <see langword="null"/> for no limit. Default: <see langword="null"/>.</summary>
    public int? MessagesPerDay { get; init; }

    /// <summary>
    /// Gets the most recipients (To, Cc and Bcc together) in any 24 hours (rolling), or <see langword="null"/>
    /// for no limit. Default: <see langword="null"/>.
    /// </summary>
    public int? RecipientsPerDay { get; init; }

    /// <summary>
    /// Gets the most recipients one message may have, or <see langword="null"/> for no limit. A message with
    /// more is refused at once: waiting never helps it. Default: <see langword="null"/>.
    /// </summary>
    public int? RecipientsPerMessage { get; init; }

    /// <summary>Gets whether no limit is set at all.</summary>
    public bool IsUnlimited =>
        MessagesPerSecond is null && MessagesPerMinute is null && MessagesPerHour is null
        && MessagesPerDay is null && RecipientsPerDay is null && RecipientsPerMessage is null;

    /// <summary>
    /// Returns these limits with every field that <paramref name="overrides"/> sets replaced by its value;
    /// fields <paramref name="overrides"/> leaves <see langword="null"/> keep this instance's value.
    /// </summary>
    /// <param name="overrides">The fields to replace, or <see langword="null"/> to keep every field.</param>
    /// <returns>The combined limits (this instance when there is nothing to override).</returns>
    /// <remarks>
    /// A <see langword="null"/> field cannot remove a limit here; to drop a preset's limit, start from
    /// <see cref="ProviderPresets.Custom"/> (no limits) and set the ones you want.
    /// </remarks>
    public SendLimits WithOverrides(SendLimits? overrides)
    {
        if (overrides is null || overrides.IsUnlimited)
        {
            return this;
        }

        return new SendLimits
        {
            MessagesPerSecond = overrides.MessagesPerSecond ?? MessagesPerSecond,
            MessagesPerMinute = overrides.MessagesPerMinute ?? MessagesPerMinute,
            MessagesPerHour = overrides.MessagesPerHour ?? MessagesPerHour,
            MessagesPerDay = overrides.MessagesPerDay ?? MessagesPerDay,
            RecipientsPerDay = overrides.RecipientsPerDay ?? RecipientsPerDay,
            RecipientsPerMessage = overrides.RecipientsPerMessage ?? RecipientsPerMessage,
        };
    }

    /// <summary>
    /// Checks the limits and returns one message per problem, each naming the field and the fix. An empty
    /// list means the limits are usable.
    /// </summary>
    /// <param name="prefix">A prefix for field names, for example <c>Smtp.Limits.</c>.</param>
    /// <returns>The problems found; empty when there are none.</returns>
    public IReadOnlyList<string> Validate(string prefix = "")
    {
        var errors = new List<string>();
        CheckRange(errors, prefix, nameof(MessagesPerSecond), MessagesPerSecond);
        CheckRange(errors, prefix, nameof(MessagesPerMinute), MessagesPerMinute);
        CheckRange(errors, prefix, nameof(MessagesPerHour), MessagesPerHour);
        CheckRange(errors, prefix, nameof(MessagesPerDay), MessagesPerDay);
        CheckRange(errors, prefix, nameof(RecipientsPerDay), RecipientsPerDay);
        CheckRange(errors, prefix, nameof(RecipientsPerMessage), RecipientsPerMessage);
        if (RecipientsPerMessage > RecipientsPerDay)
        {
            errors.Add(string.Create(
                CultureInfo.InvariantCulture,
                $"{prefix}{nameof(RecipientsPerMessage)} {RecipientsPerMessage} is more than {prefix}{nameof(RecipientsPerDay)} {RecipientsPerDay}: a message that large could never be sent; lower {nameof(RecipientsPerMessage)} to at most {RecipientsPerDay}."));
        }

        return errors;
    }

    /// <summary>Describes the limits, for example <c>2/s, 500/day, 100 recipients/message</c>.</summary>
    /// <returns>The set limits, or <c>no limits</c>.</returns>
    public override string ToString()
    {
        if (IsUnlimited)
        {
            return "no limits";
        }

        var text = new StringBuilder();
        Append(text, MessagesPerSecond, "/s");
        Append(text, MessagesPerMinute, "/min");
        Append(text, MessagesPerHour, "/h");
        Append(text, MessagesPerDay, "/day");
        Append(text, RecipientsPerDay, " recipients/day");
        Append(text, RecipientsPerMessage, " recipients/message");
        return text.ToString();
    }

    private static void Append(StringBuilder text, int? value, string unit)
    {
        if (value is null)
        {
            return;
        }

        if (text.Length > 0)
        {
            text.Append(", ");
        }

        text.Append(value.Value.ToString(CultureInfo.InvariantCulture)).Append(unit);
    }

    private static void CheckRange(List<string> errors, string prefix, string field, int? value)
    {
        if (value is < 1 or > MaxLimit)
        {
            errors.Add(string.Create(
                CultureInfo.InvariantCulture,
                $"{prefix}{field} {value} is out of range: use 1-{MaxLimit}, or leave it unset for no limit."));
        }
    }
}
