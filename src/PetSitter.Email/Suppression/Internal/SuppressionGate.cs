using Microsoft.Extensions.Logging;
using MimeKit;

namespace PetSitter.Email.Suppression;

/// <summary>
/// The send path's use of the suppression list: marketing to a suppressed address stops before any channel,
/// a permanent refusal of an address at <c>RCPT TO</c> puts it on the list, and marketing with one recipient gets
/// that recipient's unsubscribe URL from the registered <see cref="IUnsubscribeLinkFactory"/>.
/// </summary>
internal sealed partial class SuppressionGate
{
    /// <summary>
    /// The rules of <see cref="SmtpFailureRules"/> that mean "this address does not exist or is gone for good"
    /// (<c>5.1.1</c>, <c>5.1.10</c>, <c>5.2.1</c>, "mailbox not found"...). A full mailbox, a recipient that refuses
    /// this sender, a relay refusal or a bare 5xx at RCPT TO may change or be about the sender: not a hard bounce.
    /// </summary>
    private static readonly string[] HardBounceRules = ["recipient-unknown", "recipient-gone"];

    private readonly ISuppressionList _list;
    private readonly IUnsubscribeLinkFactory? _links;
    private readonly ILogger<SuppressionGate> _logger;

    public SuppressionGate(ISuppressionList list, ILogger<SuppressionGate> logger, IUnsubscribeLinkFactory? links = null)
    {
        _list = list;
        _links = links;
        _logger = logger;
    }

    /// <summary>How long a marketing email waits when the list could not be read: a store outage is usually brief, and each retry costs one list read, no SMTP.</summary>
    internal static readonly TimeSpan UnreadableRetryDelay = TimeSpan.FromMinutes(1);

    /// <summary>
    /// For a marketing email: its one outcome when a recipient is suppressed (failed, with the reason), or the failure
    /// to defer it with when the list could not be read (it is checked again when it is sent later: marketing is never
    /// sent unchecked); otherwise nothing. A message to several recipients of whom any is suppressed is not sent at
    /// all: its headers name every recipient, and sending it to the others would need another message.
    /// </summary>
    public async ValueTask<SuppressionVerdict> CheckAsync(OutgoingEmail email, EmailChannel planned, CancellationToken cancellationToken)
    {
        if (email.Category != EmailCategory.Marketing)
        {
            return default;
        }

        SuppressionEntry? first = null;
        var suppressed = 0;
        var total = 0;
        try
        {
            foreach (var address in Recipients(email.Message))
            {
                total++;
                if (await _list.FindAsync(email.BusinessId, address, cancellationToken).ConfigureAwait(false) is { } entry)
                {
                    first ??= entry;
                    suppressed++;
                }
            }
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or OutOfMemoryException))
        {
            LogCheckFailed(_logger, ex, email.BusinessId);
            return new SuppressionVerdict(null, new SmtpFailure(
                SmtpFailureKind.Transient,
                isAccountLevel: false,
                isTransient: true,
                "This marketing email waits: the list of clients who unsubscribed could not be checked just now, and marketing is never sent unchecked. It is checked and sent shortly.",
                reply: $"The suppression list could not be read ({ex.GetType().Name}); nothing was sent.")
            {
                RuleName = "suppression-list-unreadable",
            });
        }

        if (first is null)
        {
            return default;
        }

        LogSuppressed(_logger, email.BusinessId, suppressed, total, first.Reason);
        var text = total == 1
            ? SendOutcome.SuppressedText(first.Reason)
            : $"{SendOutcome.SuppressedText(first.Reason)} ({suppressed} of this email's {total} recipients are on the business's suppression list, so it was sent to none: send marketing one recipient per email.)";
        return new SuppressionVerdict(SendOutcome.Suppressed(email, planned, first.Reason, text), null);
    }

    /// <summary>Puts the address a server refused for good at RCPT TO on the business's list; a store failure is logged, never raised.</summary>
    public async ValueTask RecordRefusalAsync(OutgoingEmail email, SmtpFailure failure, CancellationToken cancellationToken)
    {
        if (failure is not { Stage: SmtpStage.RcptTo, Kind: SmtpFailureKind.RecipientRejected, IsTransient: false }
            || Array.IndexOf(HardBounceRules, failure.RuleName) < 0)
        {
            return;
        }

        // MailKit names the refused mailbox; a transport that does not is understood only for a single recipient.
        var address = failure.RefusedRecipient ?? Single(email.Message);
        if (address is null)
        {
            return;
        }

        try
        {
            if (await _list.AddAsync(email.BusinessId, address, SuppressionReason.HardBounce, cancellationToken).ConfigureAwait(false))
            {
                LogHardBounce(_logger, email.BusinessId, failure.StatusCode, failure.EnhancedStatusCode);
            }
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or OutOfMemoryException))
        {
            // The email's outcome is already decided by the refusal; a list that is down must not change it.
            LogHardBounceNotAdded(_logger, ex, email.BusinessId);
        }
    }

    /// <summary>
    /// The email with its recipient's unsubscribe URL, when it is marketing, the app set none, a factory is
    /// registered and the email has exactly one recipient; otherwise the email as it is.
    /// </summary>
    public OutgoingEmail WithUnsubscribeUrl(OutgoingEmail email)
    {
        if (_links is null || email.Category != EmailCategory.Marketing || email.UnsubscribeUrl is not null)
        {
            return email;
        }

        if (Single(email.Message) is not { } address)
        {
            LogLinkSkipped(_logger, email.BusinessId);
            return email;
        }

        return new OutgoingEmail(email.BusinessId, email.Category, email.Message) { UnsubscribeUrl = _links.CreateUrl(email.BusinessId, address) };
    }

    private static IEnumerable<string> Recipients(MimeMessage message)
    {
        foreach (var mailbox in message.To.Mailboxes)
        {
            yield return mailbox.Address;
        }

        foreach (var mailbox in message.Cc.Mailboxes)
        {
            yield return mailbox.Address;
        }

        foreach (var mailbox in message.Bcc.Mailboxes)
        {
            yield return mailbox.Address;
        }
    }

    private static string? Single(MimeMessage message)
    {
        string? single = null;
        foreach (var address in Recipients(message))
        {
            if (single is not null && !string.Equals(single, address, StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            single = address;
        }

        return single;
    }

    [LoggerMessage(EventId = LogEvents.Sending.Suppressed, Level = LogLevel.Information, Message = "Marketing email of business {BusinessId} not sent: {Suppressed} of its {Recipients} recipients are suppressed (first: {Reason})")]
    private static partial void LogSuppressed(ILogger logger, string businessId, int suppressed, int recipients, SuppressionReason reason);

    [LoggerMessage(EventId = LogEvents.Sending.HardBounceAdded, Level = LogLevel.Information, Message = "A recipient of business {BusinessId} was refused for good at RCPT TO ({StatusCode} {EnhancedStatusCode}): added to its suppression list as a hard bounce")]
    private static partial void LogHardBounce(ILogger logger, string businessId, int? statusCode, string? enhancedStatusCode);

    [LoggerMessage(EventId = LogEvents.Sending.SuppressionCheckFailed, Level = LogLevel.Warning, Message = "The suppression list of business {BusinessId} could not be read: its marketing email waits and is checked again")]
    private static partial void LogCheckFailed(ILogger logger, Exception exception, string businessId);

    [LoggerMessage(EventId = LogEvents.Sending.HardBounceNotAdded, Level = LogLevel.Warning, Message = "A hard bounce of business {BusinessId} could not be added to its suppression list")]
    private static partial void LogHardBounceNotAdded(ILogger logger, Exception exception, string businessId);

    [LoggerMessage(EventId = LogEvents.Messages.UnsubscribeLinkSkipped, Level = LogLevel.Debug, Message = "No unsubscribe URL made for a marketing email of business {BusinessId}: it has several recipients, and a URL names one")]
    private static partial void LogLinkSkipped(ILogger logger, string businessId);
}

/// <summary>What the suppression check made of a marketing email: its outcome when suppressed, the failure to defer it with when the list could not be read, or neither.</summary>
internal readonly record struct SuppressionVerdict(SendOutcome? Suppressed, SmtpFailure? Unreadable);
