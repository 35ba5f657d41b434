using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PetSitter.Email.Deferral;

/// <summary>
/// Sends deferred emails again when they are due. Each email ends in exactly one final outcome, reported
/// to every <see cref="IEmailOutcomeListener"/>: sent, delivery uncertain, or failed once it has been
/// tried <see cref="FallbackPolicyOptions.MaxDeferredAttempts"/> times or would wait longer than
/// <see cref="FallbackPolicyOptions.MaxDeferral"/>. Until then it goes back to the queue.
/// </summary>
/// <remarks>
/// An email whose due time passed while the app was stopped is still tried once before it can give up.
/// Emails taken but not handled when the app stops are put back unchanged. Before each pass, mail held because
/// an account failed is made due at once when the business's saved settings no longer match the ones it failed
/// with (the owner fixed the password): one settings lookup per business with such mail, not per email. The app
/// triggers the same work through <see cref="IDeferredEmailDispatcher"/> (this instance).
/// </remarks>
internal sealed partial class DeferredEmailDispatcher : BackgroundService, IDeferredEmailDispatcher
{
    private readonly IDeferredEmailQueue _queue;
    private readonly IDeferredEmailResender _resender;
    private readonly IEmailOutcomeListener[] _listeners;
    private readonly IOptions<FallbackPolicyOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<DeferredEmailDispatcher> _logger;
    private readonly EmailTelemetry? _telemetry;
    private readonly IBusinessEmailSettingsProvider? _settings;

    public DeferredEmailDispatcher(
        IDeferredEmailQueue queue,
        IDeferredEmailResender resender,
        IEnumerable<IEmailOutcomeListener> listeners,
        IOptions<FallbackPolicyOptions> options,
        TimeProvider timeProvider,
        ILogger<DeferredEmailDispatcher> logger,
        EmailTelemetry? telemetry = null,
        IBusinessEmailSettingsProvider? settings = null)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(resender);
        ArgumentNullException.ThrowIfNull(listeners);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _queue = queue;
        _resender = resender;
        _listeners = [.. listeners];
        // Read on use, not here: the host builds hosted services before it validates options at start,
        // and reading now would report only the first invalid options type.
        _options = options;
        _time = timeProvider;
        _logger = logger;
        _telemetry = telemetry;
        _settings = settings;
    }

    private FallbackPolicyOptions Policy => _options.Value;

    /// <summary>Takes one batch of due emails and settles each. Returns how many were taken.</summary>
    internal async Task<int> DispatchDueAsync(CancellationToken cancellationToken)
    {
        await ReleaseChangedAccountsAsync(cancellationToken).ConfigureAwait(false);
        var counts = new int[(int)SendStatus.DeliveryUncertain + 1];
        return await DispatchBatchAsync(counts, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    async Task<DeferredDispatchResult> IDeferredEmailDispatcher.DispatchDueAsync(CancellationToken cancellationToken)
    {
        await ReleaseChangedAccountsAsync(cancellationToken).ConfigureAwait(false);

        // Indexed by SendStatus: what each settled email became (Deferred = back in the queue).
        var counts = new int[(int)SendStatus.DeliveryUncertain + 1];
        while (await DispatchBatchAsync(counts, cancellationToken).ConfigureAwait(false) >= Policy.DeferredBatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
        }

        return new DeferredDispatchResult(
            counts[(int)SendStatus.Sent], counts[(int)SendStatus.Deferred], counts[(int)SendStatus.Failed], counts[(int)SendStatus.DeliveryUncertain]);
    }

    private async Task<int> DispatchBatchAsync(int[] counts, CancellationToken cancellationToken)
    {
        var batch = await _queue.TakeDueAsync(_time.GetUtcNow(), Policy.DeferredBatchSize, cancellationToken).ConfigureAwait(false);
        var settled = 0;
        try
        {
            for (; settled < batch.Count; settled++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                counts[(int)await DispatchOneAsync(batch[settled], cancellationToken).ConfigureAwait(false)]++;
            }
        }
        finally
        {
            // Stopping mid-batch: what was taken but not settled goes back as it was, so nothing is lost.
            for (var i = settled; i < batch.Count; i++)
            {
                await _queue.EnqueueAsync(batch[i], CancellationToken.None).ConfigureAwait(false);
            }
        }

        return batch.Count;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Policy.DeferredPollInterval, _time);
        try
        {
            do
            {
                // A full batch means more may be due: carry on without waiting for the next tick.
                while (await DispatchPassAsync(stoppingToken).ConfigureAwait(false) >= Policy.DeferredBatchSize)
                {
                    stoppingToken.ThrowIfCancellationRequested();
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task<int> DispatchPassAsync(CancellationToken stoppingToken)
    {
        try
        {
            return await DispatchDueAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A durable queue may be briefly unreachable: try again on the next tick.
            LogPassFailed(_logger, ex);
            return 0;
        }
    }

    /// <summary>
    /// Re-sends one email and settles it: back in the queue (<see cref="SendStatus.Deferred"/>), or a final
    /// outcome reported (its status). Only cancellation before settling escapes.
    /// </summary>
    private async Task<SendStatus> DispatchOneAsync(DeferredEmail item, CancellationToken cancellationToken)
    {
        SendOutcome? outcome = null;
        string? error = null;
        try
        {
            outcome = await _resender.ResendAsync(item, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Settings that cannot be loaded now may load later: count it as a try and wait.
            LogResendFailed(_logger, ex, item.BusinessId, item.Category, item.MessageId);
            error = ex is EmailSettingsException ? ex.Message : $"sending it again failed ({ex.GetType().Name})";
        }

        var now = _time.GetUtcNow();
        if (outcome is { Status: not SendStatus.Deferred })
        {
            LogFinal(_logger, item.BusinessId, item.Category, item.MessageId, outcome.Status, item.Attempts + 1);

            // Settled before the listeners hear it: a crash after the send must leave as small a window as
            // possible for a durable queue to hand the email out again.
            await _queue.AcknowledgeAsync(item, outcome, CancellationToken.None).ConfigureAwait(false);
            await ReportAsync(outcome, cancellationToken).ConfigureAwait(false);
            return outcome.Status;
        }

        var failure = outcome?.SmtpFailure ?? item.LastFailure;

        // A resend that threw says nothing new about the account: the email stays held under the same settings.
        var fingerprint = outcome is null ? item.AccountFingerprint : outcome.AccountFingerprint;
        var dueAt = outcome?.DeferredUntil ?? now + Policy.DeferredRetryDelay;
        var attempts = item.Attempts + 1;
        var deadline = item.FirstDeferredAt + Policy.MaxDeferral;
        string? giveUp = null;
        if (attempts >= Policy.MaxDeferredAttempts)
        {
            giveUp = string.Create(CultureInfo.InvariantCulture, $"The email was held and tried {attempts} time(s) since {item.FirstDeferredAt:u}, but your email account still could not send it.");
        }
        else if (dueAt > deadline)
        {
            giveUp = string.Create(CultureInfo.InvariantCulture, $"The email was held since {item.FirstDeferredAt:u} and would have had to wait until {dueAt:u}, longer than the {Describe(Policy.MaxDeferral)} allowed.");
        }

        if (giveUp is null)
        {
            await _queue.EnqueueAsync(item.AfterAttempt(dueAt, failure, fingerprint), CancellationToken.None).ConfigureAwait(false);
            LogRedeferred(_logger, item.BusinessId, item.Category, item.MessageId, dueAt, attempts);
            return SendStatus.Deferred;
        }

        var reason = $"{giveUp} {(error is null ? string.Empty : $"Last try: {error}. ")}{failure.Advice}";
        var failed = SendOutcome.Failed(item.Email, EmailChannel.Smtp, EmailChannel.Smtp, reason, failure);
        LogGaveUp(_logger, item.BusinessId, item.Category, item.MessageId, attempts, failure.Kind);
        _telemetry?.DeferredGaveUp(item.Category, failure.Kind);
        await _queue.AcknowledgeAsync(item, failed, CancellationToken.None).ConfigureAwait(false);
        await ReportAsync(failed, cancellationToken).ConfigureAwait(false);
        return SendStatus.Failed;
    }

    /// <summary>
    /// Makes due now the mail of every business whose account failed with settings it no longer has. Noticed here
    /// rather than on the business's next send, because an owner who fixes the password may send nothing for hours.
    /// </summary>
    private async Task ReleaseChangedAccountsAsync(CancellationToken cancellationToken)
    {
        if (_settings is null || _queue is not IAccountHeldMail held)
        {
            return;
        }

        try
        {
            var now = _time.GetUtcNow();
            foreach (var account in await held.HeldAccountsAsync(now, cancellationToken).ConfigureAwait(false))
            {
                var business = await _settings.GetSettingsAsync(account.BusinessId, cancellationToken).ConfigureAwait(false);
                if (business is null)
                {
                    continue;
                }

                // SMTP switched off counts as a change too: the mail then goes the way the business's settings say.
                // Stryker disable once String : held mail carries a settings hash, never empty nor any other fixed text, so every text unequal to it releases alike.
                var current = business.Smtp?.SettingsFingerprint() ?? string.Empty;
                if (string.Equals(current, account.Fingerprint, StringComparison.Ordinal))
                {
                    continue;
                }

                var released = await held.ReleaseAsync(account.BusinessId, current, now, cancellationToken).ConfigureAwait(false);

                // Stryker disable once Equality,Boolean : it decides only whether the release is logged; what is released is the queue's.
                if (released > 0)
                {
                    LogReleased(_logger, account.BusinessId, released);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The held mail still goes at its due time; the next pass looks again.
            LogReleaseFailed(_logger, ex);
        }
    }

    /// <summary>Words for an owner: "3 days", "12 hours", "90 minutes".</summary>
    internal static string Describe(TimeSpan span) => span switch
    {
        { TotalDays: >= 1 } when span.Ticks % TimeSpan.TicksPerDay == 0 => Plural((int)span.TotalDays, "day"),
        { TotalHours: >= 1 } when span.Ticks % TimeSpan.TicksPerHour == 0 => Plural((int)span.TotalHours, "hour"),
        _ => Plural((int)Math.Ceiling(span.TotalMinutes), "minute"),
    };

    private static string Plural(int count, string unit) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {unit}{(count == 1 ? string.Empty : "s")}");

    private async Task ReportAsync(SendOutcome outcome, CancellationToken cancellationToken)
    {
        foreach (var listener in _listeners)
        {
            try
            {
                await listener.OnOutcomeAsync(outcome, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogListenerFailed(_logger, ex, listener.GetType().Name, outcome.BusinessId, outcome.MessageId);
            }
        }
    }

    [LoggerMessage(EventId = LogEvents.Deferral.Final, Level = LogLevel.Information, Message = "Deferred {Category} email of business {BusinessId} (Message-ID {MessageId}) ended {Status} after {Attempts} try(ies)")]
    private static partial void LogFinal(ILogger logger, string businessId, EmailCategory category, string messageId, SendStatus status, int attempts);

    [LoggerMessage(EventId = LogEvents.Deferral.Redeferred, Level = LogLevel.Debug, Message = "Deferred {Category} email of business {BusinessId} (Message-ID {MessageId}) deferred again until {DueAt} (try {Attempts})")]
    private static partial void LogRedeferred(ILogger logger, string businessId, EmailCategory category, string messageId, DateTimeOffset dueAt, int attempts);

    [LoggerMessage(EventId = LogEvents.Deferral.GaveUp, Level = LogLevel.Warning, Message = "Gave up on deferred {Category} email of business {BusinessId} (Message-ID {MessageId}) after {Attempts} try(ies): {Kind}")]
    private static partial void LogGaveUp(ILogger logger, string businessId, EmailCategory category, string messageId, int attempts, SmtpFailureKind kind);

    [LoggerMessage(EventId = LogEvents.Deferral.ResendFailed, Level = LogLevel.Error, Message = "Sending deferred {Category} email of business {BusinessId} (Message-ID {MessageId}) again threw; it stays deferred")]
    private static partial void LogResendFailed(ILogger logger, Exception exception, string businessId, EmailCategory category, string messageId);

    [LoggerMessage(EventId = LogEvents.Deferral.ListenerFailed, Level = LogLevel.Error, Message = "Outcome listener {Listener} threw for business {BusinessId} (Message-ID {MessageId}); other listeners still run")]
    private static partial void LogListenerFailed(ILogger logger, Exception exception, string listener, string businessId, string messageId);

    [LoggerMessage(EventId = LogEvents.Deferral.Released, Level = LogLevel.Information, Message = "The SMTP settings of business {BusinessId} changed: {Count} held email(s) are due now")]
    private static partial void LogReleased(ILogger logger, string businessId, int count);

    [LoggerMessage(EventId = LogEvents.Deferral.ReleaseFailed, Level = LogLevel.Warning, Message = "Checking whether businesses with held mail changed their SMTP settings failed; held mail waits for its due time")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = LogEvents.Deferral.PassFailed, Level = LogLevel.Error, Message = "A pass of the deferred-email dispatcher failed; trying again at the next interval")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);
}
