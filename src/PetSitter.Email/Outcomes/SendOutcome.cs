namespace PetSitter.Email;

/// <summary>
/// The one reported result of sending an email: sent (on which channel, whether by fallback),
/// deferred (until when), failed (why) or delivery uncertain.
/// </summary>
public sealed class SendOutcome
{
    private SendOutcome(string businessId, EmailCategory category, string messageId, SendStatus status, EmailChannel channel)
    {
        BusinessId = businessId;
        Category = category;
        MessageId = messageId;
        Status = status;
        Channel = channel;
    }

    /// <summary>Gets the business the email was sent for.</summary>
    public string BusinessId { get; }

    /// <summary>Gets the email's category.</summary>
    public EmailCategory Category { get; }

    /// <summary>Gets the Message-ID the email carries on every channel and retry.</summary>
    public string MessageId { get; }

    /// <summary>Gets how the send ended.</summary>
    public SendStatus Status { get; }

    /// <summary>Gets the channel that carried the message (or, when it failed, the last one tried).</summary>
    public EmailChannel Channel { get; }

    /// <summary>Gets the channel the routing table chose before any fallback.</summary>
    public EmailChannel PlannedChannel { get; private init; }

    /// <summary>Gets whether the message went through <see cref="Channel"/> only because the planned channel could not take it.</summary>
    public bool IsFallback { get; private init; }

    /// <summary>Gets the SMTP failure behind a fallback, deferral or failure, if there was one.</summary>
    public SmtpFailure? SmtpFailure { get; private init; }

    /// <summary>Gets the kind of the SMTP failure, or <see langword="null"/> when SMTP did not fail.</summary>
    public SmtpFailureKind? FailureKind => SmtpFailure?.Kind;

    /// <summary>
    /// Gets which send limit refused SMTP (second, minute, hour, day, recipients per day, recipients per
    /// message...), or <see langword="null"/> when no limit did or the provider's reply did not say which;
    /// see <see cref="Email.SmtpFailure.LimitWindow"/>.
    /// </summary>
    public LimitWindow? LimitWindow => SmtpFailure?.LimitWindow;

    /// <summary>
    /// Gets, for a <see cref="EmailCategory.Marketing"/> email that was not sent because a recipient is on the
    /// business's <see cref="ISuppressionList"/>, why that recipient is there (the first suppressed recipient's
    /// reason when several are); <see langword="null"/> for every other outcome. Such an outcome is
    /// <see cref="SendStatus.Failed"/> with no <see cref="SmtpFailure"/>: nothing was tried on any channel.
    /// </summary>
    public SuppressionReason? Suppression { get; private init; }

    /// <summary>Gets why the message was not sent, or was sent by fallback; <see langword="null"/> for a plain success.</summary>
    public string? Reason { get; private init; }

    /// <summary>Gets where the message went when it was sent: a server (<c>host:port</c>) or a file path.</summary>
    public string? Location { get; private init; }

    /// <summary>Gets when a deferred message will be tried again.</summary>
    public DateTimeOffset? DeferredUntil { get; private init; }

    /// <summary>
    /// Gets or sets, for a deferral caused by an account-level failure, the settings fingerprint the account failed
    /// with, so the dispatcher keeps it with the email it puts back (see <see cref="DeferredEmail.AccountFingerprint"/>).
    /// </summary>
    internal string? AccountFingerprint { get; set; }

    /// <summary>Gets whether the message was sent (on either channel).</summary>
    public bool IsSent => Status == SendStatus.Sent;

    /// <summary>Creates a "sent" outcome.</summary>
    /// <param name="email">The email.</param>
    /// <param name="channel">The channel that carried it.</param>
    /// <param name="plannedChannel">The channel routing chose.</param>
    /// <param name="receipt">Where it went.</param>
    /// <param name="smtpFailure">The SMTP failure that caused a fallback, if any.</param>
    /// <returns>The outcome.</returns>
    public static SendOutcome Sent(OutgoingEmail email, EmailChannel channel, EmailChannel plannedChannel, DeliveryReceipt receipt, SmtpFailure? smtpFailure = null)
    {
        ArgumentNullException.ThrowIfNull(email);
        ArgumentNullException.ThrowIfNull(receipt);
        return new SendOutcome(email.BusinessId, email.Category, email.Message.MessageId ?? string.Empty, SendStatus.Sent, channel)
        {
            PlannedChannel = plannedChannel,
            IsFallback = channel != plannedChannel,
            Location = receipt.Location,
            SmtpFailure = smtpFailure,
            Reason = channel != plannedChannel ? smtpFailure?.Advice ?? "The planned channel could not take the message." : null,
        };
    }

    /// <summary>Creates a "deferred" outcome.</summary>
    /// <param name="email">The email.</param>
    /// <param name="plannedChannel">The channel it waits for.</param>
    /// <param name="until">When it will be tried again.</param>
    /// <param name="smtpFailure">Why it could not be sent now.</param>
    /// <returns>The outcome.</returns>
    public static SendOutcome Deferred(OutgoingEmail email, EmailChannel plannedChannel, DateTimeOffset until, SmtpFailure smtpFailure)
    {
        ArgumentNullException.ThrowIfNull(email);
        ArgumentNullException.ThrowIfNull(smtpFailure);
        return new SendOutcome(email.BusinessId, email.Category, email.Message.MessageId ?? string.Empty, SendStatus.Deferred, plannedChannel)
        {
            PlannedChannel = plannedChannel,
            DeferredUntil = until,
            SmtpFailure = smtpFailure,
            Reason = smtpFailure.Advice,
        };
    }

    /// <summary>Creates a "failed" outcome.</summary>
    /// <param name="email">The email.</param>
    /// <param name="channel">The last channel tried.</param>
    /// <param name="plannedChannel">The channel routing chose.</param>
    /// <param name="reason">Why, in the owner's words.</param>
    /// <param name="smtpFailure">The SMTP failure, if SMTP failed.</param>
    /// <returns>The outcome.</returns>
    public static SendOutcome Failed(OutgoingEmail email, EmailChannel channel, EmailChannel plannedChannel, string reason, SmtpFailure? smtpFailure = null)
    {
        ArgumentNullException.ThrowIfNull(email);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return new SendOutcome(email.BusinessId, email.Category, email.Message.MessageId ?? string.Empty, SendStatus.Failed, channel)
        {
            PlannedChannel = plannedChannel,
            IsFallback = channel != plannedChannel,
            SmtpFailure = smtpFailure,
            Reason = reason,
        };
    }

    /// <summary>
    /// Creates the outcome of a marketing email not sent because a recipient is suppressed: <see cref="SendStatus.Failed"/>
    /// with <see cref="Suppression"/> set, no SMTP failure, and the planned channel (none was tried).
    /// </summary>
    /// <param name="email">The email.</param>
    /// <param name="plannedChannel">The channel routing chose.</param>
    /// <param name="reason">Why the (first) suppressed recipient is on the list.</param>
    /// <returns>The outcome.</returns>
    public static SendOutcome Suppressed(OutgoingEmail email, EmailChannel plannedChannel, SuppressionReason reason) =>
        Suppressed(email, plannedChannel, reason, SuppressedText(reason));

    /// <summary>The suppressed outcome with the sender's own wording (how many recipients, which).</summary>
    internal static SendOutcome Suppressed(OutgoingEmail email, EmailChannel plannedChannel, SuppressionReason reason, string text)
    {
        ArgumentNullException.ThrowIfNull(email);
        if (!Enum.IsDefined(reason))
        {
            throw new ArgumentOutOfRangeException(nameof(reason), reason, "Use SuppressionReason.Unsubscribed, Complained or HardBounce.");
        }

        return new SendOutcome(email.BusinessId, email.Category, email.Message.MessageId ?? string.Empty, SendStatus.Failed, plannedChannel)
        {
            PlannedChannel = plannedChannel,
            Suppression = reason,
            Reason = text,
        };
    }

    /// <summary>The owner's words for one suppressed recipient.</summary>
    internal static string SuppressedText(SuppressionReason reason) => reason switch
    {
        SuppressionReason.Unsubscribed => "Not sent: the client unsubscribed from your marketing emails.",
        SuppressionReason.Complained => "Not sent: the client marked your emails as spam, so they get no more marketing emails.",
        _ => "Not sent: the client's email address does not exist (an earlier email to it was refused), so marketing emails are no longer sent to it.",
    };

    /// <summary>Creates a "delivery uncertain" outcome: the connection dropped after the message was handed over.</summary>
    /// <param name="email">The email.</param>
    /// <param name="channel">The channel that was sending.</param>
    /// <param name="plannedChannel">The channel routing chose.</param>
    /// <param name="smtpFailure">The failure that left the fate unknown.</param>
    /// <returns>The outcome.</returns>
    public static SendOutcome Uncertain(OutgoingEmail email, EmailChannel channel, EmailChannel plannedChannel, SmtpFailure? smtpFailure)
    {
        ArgumentNullException.ThrowIfNull(email);
        return new SendOutcome(email.BusinessId, email.Category, email.Message.MessageId ?? string.Empty, SendStatus.DeliveryUncertain, channel)
        {
            PlannedChannel = plannedChannel,
            IsFallback = channel != plannedChannel,
            SmtpFailure = smtpFailure,
            Reason = "The connection was lost after the whole message was sent, before the server confirmed it: it may have been delivered, so it was not sent again.",
        };
    }

    /// <inheritdoc />
    public override string ToString() => Status switch
    {
        SendStatus.Sent => $"{Category} for {BusinessId}: sent via {Channel}{(IsFallback ? " (fallback)" : string.Empty)} to {Location}",
        SendStatus.Deferred => $"{Category} for {BusinessId}: deferred until {DeferredUntil:O} ({FailureKind})",
        SendStatus.DeliveryUncertain => $"{Category} for {BusinessId}: delivery uncertain via {Channel}",
        _ => $"{Category} for {BusinessId}: failed via {Channel}{(FailureKind is null ? string.Empty : $" ({FailureKind})")}{(Suppression is null ? string.Empty : $" (suppressed: {Suppression})")}: {Reason}",
    };
}
