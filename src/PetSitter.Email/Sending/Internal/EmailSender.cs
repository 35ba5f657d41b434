using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace PetSitter.Email.Sending;

/// <summary>
/// The facade: looks up the business, routes by category, sends on the planned channel and, when
/// SMTP cannot take the message, applies the category's fallback. Returns exactly one outcome.
/// </summary>
internal sealed partial class EmailSender : IEmailSender, IDeferredEmailResender
{
    private readonly IBusinessEmailSettingsProvider _settings;
    private readonly SmtpChannel _smtp;
    private readonly INativeMailer _native;
    private readonly FallbackPolicy _fallback;
    private readonly IDeferredEmailQueue _deferred;
    private readonly PetSitterEmailOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<EmailSender> _logger;
    private readonly EmailTelemetry _telemetry;
    private readonly SuppressionGate _suppression;

    public EmailSender(
        IBusinessEmailSettingsProvider settings,
        SmtpChannel smtp,
        INativeMailer native,
        FallbackPolicy fallback,
        IDeferredEmailQueue deferred,
        IOptions<PetSitterEmailOptions> options,
        TimeProvider time,
        ILogger<EmailSender> logger,
        EmailTelemetry telemetry,
        SuppressionGate suppression)
    {
        _settings = settings;
        _smtp = smtp;
        _native = native;
        _fallback = fallback;
        _deferred = deferred;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _telemetry = telemetry;
        _suppression = suppression;
    }

    public async Task<SendOutcome> SendAsync(OutgoingEmail email, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(email);
        var telemetry = _telemetry.StartSend(email, resend: false);
        try
        {
            EnsureSendable(email.Message);
            cancellationToken.ThrowIfCancellationRequested();

            var business = await LoadSettingsAsync(email.BusinessId, cancellationToken).ConfigureAwait(false);

            // Every channel, retry and fallback sends the same Message-ID, and the outcome reports it; marketing mail
            // gets its unsubscribe headers, notifications Auto-Submitted. When any is missing, the additions go on one
            // header copy (the caller's message is never changed); otherwise the message is used as it is.
            var working = DeliverabilityHeaders.Prepare(_suppression.WithUnsubscribeUrl(email), _logger);

            return telemetry.Completed(await DeliverAsync(working, business, enqueueDeferred: true, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception ex) when (telemetry.Threw(ex))
        {
            throw;
        }
    }

    /// <summary>
    /// Called by the deferred-mail dispatcher. The settings are read again (the owner may have fixed the
    /// password or switched SMTP off meanwhile); a result that is still "deferred" is not queued here:
    /// the dispatcher puts the item back with its attempt count.
    /// </summary>
    public async Task<SendOutcome> ResendAsync(DeferredEmail item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        var telemetry = _telemetry.StartSend(item.Email, resend: true);
        try
        {
            BusinessEmailSettings business;
            try
            {
                business = await LoadSettingsAsync(item.BusinessId, cancellationToken).ConfigureAwait(false);
            }
            catch (EmailSettingsException ex)
            {
                return telemetry.Completed(SendOutcome.Failed(item.Email, EmailChannel.Smtp, EmailChannel.Smtp, $"The deferred email could not be sent: {ex.Message}", item.LastFailure));
            }

            // Checked again: the client may have unsubscribed while the email waited.
            return telemetry.Completed(await DeliverAsync(item.Email, business, enqueueDeferred: false, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception ex) when (telemetry.Threw(ex))
        {
            throw;
        }
    }

    /// <summary>
    /// Before any channel, marketing meets the suppression list: to a suppressed address it is neither sent, nor sent
    /// natively, nor held; when the list cannot be read it is held (deferred) and checked again when it is sent later.
    /// Then the planned channel is tried, and a failure goes to the category's fallback.
    /// </summary>
    // One async method from the check to the channel: each layer suspends and resumes once per message on the wire.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<SendOutcome> DeliverAsync(OutgoingEmail email, BusinessEmailSettings business, bool enqueueDeferred, CancellationToken cancellationToken)
    {
        var planned = EmailRouter.Route(business, email.Category);
        var verdict = await _suppression.CheckAsync(email, planned, cancellationToken).ConfigureAwait(false);
        if (verdict.Suppressed is { } suppressed)
        {
            return suppressed;
        }

        if (verdict.Unreadable is { } unreadable)
        {
            return await ApplyFallbackAsync(email, business, planned, unreadable, _time.GetUtcNow() + SuppressionGate.UnreadableRetryDelay, enqueueDeferred, cancellationToken).ConfigureAwait(false);
        }

        if (planned == EmailChannel.Native)
        {
            return await SendNativeAsync(email, business, planned, smtpFailure: null, cancellationToken).ConfigureAwait(false);
        }

        var account = business.Smtp!;
        var accountErrors = account.Validate($"{nameof(BusinessEmailSettings.Smtp)}.");
        SmtpAttempt attempt;
        if (accountErrors.Count > 0)
        {
            attempt = SmtpAttempt.NotSent(SmtpFailureClassifier.Misconfigured(accountErrors), resumeAt: null);
        }
        else
        {
            attempt = await _smtp.SendAsync(email.BusinessId, account, ForSmtp(email.Message, business, account), email.Category, cancellationToken).ConfigureAwait(false);
        }

        if (attempt.IsSent)
        {
            LogSent(_logger, email.BusinessId, email.Category, EmailChannel.Smtp, false);
            return SendOutcome.Sent(email, EmailChannel.Smtp, planned, attempt.Receipt!);
        }

        var failure = attempt.Failure!;
        _telemetry.SmtpFailed(email.Category, failure, account.Host);
        await _suppression.RecordRefusalAsync(email, failure, cancellationToken).ConfigureAwait(false);
        if (attempt.IsUncertain)
        {
            LogUncertain(_logger, email.BusinessId, email.Category, email.Message.MessageId);
            return SendOutcome.Uncertain(email, EmailChannel.Smtp, planned, failure);
        }

        LogSmtpFailed(_logger, email.BusinessId, email.Category, failure.Kind, failure.Stage, failure.StatusCode);
        return await ApplyFallbackAsync(email, business, planned, failure, attempt.ResumeAt, enqueueDeferred, cancellationToken).ConfigureAwait(false);
    }

    private async Task<SendOutcome> ApplyFallbackAsync(
        OutgoingEmail email,
        BusinessEmailSettings business,
        EmailChannel planned,
        SmtpFailure failure,
        DateTimeOffset? resumeAt,
        bool enqueueDeferred,
        CancellationToken cancellationToken)
    {
        switch (_fallback.Decide(email.Category, failure))
        {
            case FallbackDecision.SendNative:
                _telemetry.FellBack(email.Category, failure, business.Smtp?.Host);
                return await SendNativeAsync(email, business, planned, failure, cancellationToken).ConfigureAwait(false);

            case FallbackDecision.Defer:
                var now = _time.GetUtcNow();
                var due = resumeAt is { } at && at > now ? at : now + _fallback.Options.DeferredRetryDelay;

                // Held because of the account: kept with the settings it failed with, so saving corrected ones releases it.
                var fingerprint = failure.IsAccountLevel ? business.Smtp?.SettingsFingerprint() : null;
                if (enqueueDeferred)
                {
                    // A full copy: the caller may reuse its message (and its body) once SendAsync returns.
                    var held = new OutgoingEmail(email.BusinessId, email.Category, MessageCopy.Deep(email.Message, cancellationToken)) { UnsubscribeUrl = email.UnsubscribeUrl };
                    try
                    {
                        await _deferred.EnqueueAsync(new DeferredEmail(held, due, failure, now) { AccountFingerprint = fingerprint }, cancellationToken).ConfigureAwait(false);
                    }
                    catch (DeferredQueueFullException full)
                    {
                        // Refused, never dropped: the caller learns it now, with the reason, and can try later.
                        LogQueueFull(_logger, email.BusinessId, email.Category, full.Capacity);
                        var reason = string.Create(
                            CultureInfo.InvariantCulture,
                            $"The email could not be held for later: the deferred queue of this process is full ({full.Capacity} emails), so it was not sent. {failure.Advice}");
                        return SendOutcome.Failed(email, EmailChannel.Smtp, planned, reason, failure);
                    }
                }

                _telemetry.Deferred(email.Category, failure, business.Smtp?.Host, resend: !enqueueDeferred);
                LogDeferred(_logger, email.BusinessId, email.Category, due);
                var deferred = SendOutcome.Deferred(email, planned, due, failure);
                deferred.AccountFingerprint = fingerprint;
                return deferred;

            default:
                return SendOutcome.Failed(email, EmailChannel.Smtp, planned, failure.Advice, failure);
        }
    }

    private async Task<SendOutcome> SendNativeAsync(OutgoingEmail email, BusinessEmailSettings business, EmailChannel planned, SmtpFailure? smtpFailure, CancellationToken cancellationToken)
    {
        var message = NativeIdentity.Apply(email.Message, business, _options.Native);
        try
        {
            var receipt = await _native.SendAsync(message, cancellationToken).ConfigureAwait(false);
            LogSent(_logger, email.BusinessId, email.Category, EmailChannel.Native, planned != EmailChannel.Native);
            return SendOutcome.Sent(email, EmailChannel.Native, planned, receipt, smtpFailure);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A relay's MailKit exceptions keep the raw server reply; the log gets ours, which is redacted.
            LogNativeFailed(_logger, RedactingLoggerFactory.Redact(ex)!, email.BusinessId, email.Category);
            var reason = $"The native mailer could not send the message ({ex.GetType().Name}: {ex.Message}).";
            return SendOutcome.Failed(email, EmailChannel.Native, planned, reason, smtpFailure);
        }
    }

    private async ValueTask<BusinessEmailSettings> LoadSettingsAsync(string businessId, CancellationToken cancellationToken)
    {
        // A provider that ignores the token (a stuck database call) must not hold the caller past its cancellation.
        var lookup = _settings.GetSettingsAsync(businessId, cancellationToken);
        var business = (lookup.IsCompleted ? await lookup.ConfigureAwait(false) : await lookup.AsTask().WaitAsync(cancellationToken).ConfigureAwait(false))
            ?? throw new EmailSettingsException(businessId, $"Business '{businessId}' is unknown: the settings provider returned no settings for it. Check OutgoingEmail.BusinessId.", []);

        var errors = business.ValidateBusiness();
        if (errors.Count > 0)
        {
            throw new EmailSettingsException(businessId, $"The email settings of business '{businessId}' are invalid: {string.Join(" ", errors)}", errors);
        }

        if (!string.Equals(business.BusinessId, businessId, StringComparison.Ordinal))
        {
            throw new EmailSettingsException(businessId, $"The settings provider returned settings of business '{business.BusinessId}' when asked for '{businessId}'.", []);
        }

        return business;
    }

    private static void EnsureSendable(MimeMessage message)
    {
        if (MessageRecipients.Count(message) == 0)
        {
            throw new ArgumentException("The message has no recipients: add at least one address to To, Cc or Bcc.", nameof(message));
        }

        MessageAddressRules.EnsureUsable(message, nameof(message));
    }

    /// <summary>The business's own identity: From its mailbox (providers refuse other senders), Reply-To kept or set.</summary>
    private static MimeMessage ForSmtp(MimeMessage message, BusinessEmailSettings business, SmtpAccountSettings account)
    {
        if (HasSmtpIdentity(message, business, account))
        {
            // Nothing to change: a copy would cost more than the rest of the send path together.
            return message;
        }

        // Handed only to the SMTP channel, so the transport can send this copy as it is rather than copy it again.
        var copy = MessageCopy.OwnedWithHeaders(message);
        copy.From.Clear();
        copy.From.Add(new MailboxAddress(business.BusinessName, account.FromAddress));
        copy.Sender = null;
        if (copy.ReplyTo.Count == 0 && !string.Equals(business.ReplyToAddress, account.FromAddress, StringComparison.OrdinalIgnoreCase))
        {
            copy.ReplyTo.Add(new MailboxAddress(business.BusinessName, business.ReplyToAddress));
        }

        return copy;
    }

    /// <summary>Whether the message already is what <see cref="ForSmtp"/> would make of it.</summary>
    private static bool HasSmtpIdentity(MimeMessage message, BusinessEmailSettings business, SmtpAccountSettings account)
    {
        if (message.Sender is not null
            || message.From.Count != 1
            || message.From[0] is not MailboxAddress from
            || from.Route.Count != 0
            || !string.Equals(from.Name, business.BusinessName, StringComparison.Ordinal)
            || !string.Equals(from.Address, account.FromAddress, StringComparison.Ordinal))
        {
            return false;
        }

        return message.ReplyTo.Count > 0 || string.Equals(business.ReplyToAddress, account.FromAddress, StringComparison.OrdinalIgnoreCase);
    }

    [LoggerMessage(EventId = LogEvents.Sending.Sent, Level = LogLevel.Information, Message = "{Category} email for business {BusinessId} sent via {Channel} (fallback: {IsFallback})")]
    private static partial void LogSent(ILogger logger, string businessId, EmailCategory category, EmailChannel channel, bool isFallback);

    [LoggerMessage(EventId = LogEvents.Sending.SmtpFailed, Level = LogLevel.Warning, Message = "SMTP could not take a {Category} email for business {BusinessId}: {Kind} at {Stage} (reply code {StatusCode})")]
    private static partial void LogSmtpFailed(ILogger logger, string businessId, EmailCategory category, SmtpFailureKind kind, SmtpStage? stage, int? statusCode);

    [LoggerMessage(EventId = LogEvents.Sending.NativeFailed, Level = LogLevel.Error, Message = "The native mailer failed for a {Category} email of business {BusinessId}")]
    private static partial void LogNativeFailed(ILogger logger, Exception exception, string businessId, EmailCategory category);

    [LoggerMessage(EventId = LogEvents.Sending.Deferred, Level = LogLevel.Information, Message = "{Category} email of business {BusinessId} deferred until {DueAt}")]
    private static partial void LogDeferred(ILogger logger, string businessId, EmailCategory category, DateTimeOffset dueAt);

    [LoggerMessage(EventId = LogEvents.Sending.DeferredQueueFull, Level = LogLevel.Warning, Message = "The in-memory deferred queue is full ({Capacity} emails): a {Category} email of business {BusinessId} that would have been deferred ended failed")]
    private static partial void LogQueueFull(ILogger logger, string businessId, EmailCategory category, int capacity);

    [LoggerMessage(EventId = LogEvents.Sending.Uncertain, Level = LogLevel.Warning, Message = "Delivery of a {Category} email of business {BusinessId} is uncertain (Message-ID {MessageId}): not resent")]
    private static partial void LogUncertain(ILogger logger, string businessId, EmailCategory category, string? messageId);
}
