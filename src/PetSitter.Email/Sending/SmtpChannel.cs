using Microsoft.Extensions.Logging;
using MimeKit;
using Polly.Timeout;

namespace PetSitter.Email;

/// <summary>
/// The SMTP channel with its policy, in the order a message meets it: the account's breaker (a wrong
/// password or an exhausted quota stops attempts at once), the send limits (short waits are waited for,
/// long ones are not), then the Polly pipeline (retry, attempt timeout) around the transport. Every
/// result is fed back: provider quota replies mark the account exhausted, account-level failures open
/// its breaker, a success closes it.
/// </summary>
internal sealed partial class SmtpChannel
{
    private readonly ISmtpTransport _transport;
    private readonly AccountHealthTracker _health;
    private readonly ISendQuotaStore _quotas;
    private readonly SendThrottle _throttle;
    private readonly SmtpRetryPipeline _retry;
    private readonly TimeProvider _time;
    private readonly ILogger<SmtpChannel> _logger;

    public SmtpChannel(
        ISmtpTransport transport,
        AccountHealthTracker health,
        ISendQuotaStore quotas,
        SendThrottle throttle,
        SmtpRetryPipeline retry,
        TimeProvider time,
        ILogger<SmtpChannel> logger)
    {
        _transport = transport;
        _health = health;
        _quotas = quotas;
        _throttle = throttle;
        _retry = retry;
        _time = time;
        _logger = logger;
    }

    /// <summary>The key send limits are counted under: the mailbox, whichever business uses it.</summary>
    internal static string AccountKey(SmtpAccountSettings account) => account.LimitKey();

    public async ValueTask<SmtpAttempt> SendAsync(string businessId, SmtpAccountSettings account, MimeMessage message, CancellationToken cancellationToken)
    {
        var fingerprint = account.CredentialFingerprint();
        var gate = _health.Check(businessId, fingerprint, _time.GetUtcNow());
        if (!gate.IsAllowed)
        {
            LogBlocked(_logger, businessId, gate.Failure!.Kind, gate.RetryAt);
            return SmtpAttempt.NotSent(gate.Failure, gate.RetryAt);
        }

        var limits = account.EffectiveLimits();
        var decision = await _throttle.AcquireAsync(AccountKey(account), limits, MessageRecipients.Count(message), cancellationToken).ConfigureAwait(false);
        if (!decision.IsAllowed)
        {
            return RefusedByLimit(businessId, fingerprint, decision, limits);
        }

        try
        {
            var receipt = await _retry.Pipeline.ExecuteAsync(
                static (state, token) => new ValueTask<DeliveryReceipt>(state._transport.SendAsync(state.account, state.message, token)),
                (_transport, account, message),
                cancellationToken).ConfigureAwait(false);
            _health.RecordSuccess(businessId, fingerprint, _time.GetUtcNow());
            return SmtpAttempt.Sent(receipt);
        }
        catch (SmtpTransportException ex)
        {
            return await FailedAsync(businessId, account, fingerprint, ex, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutRejectedException ex)
        {
            var timedOut = new SmtpTransportException(SmtpStage.Connect, null, $"The send did not finish within the attempt timeout ({ex.Timeout}).", ex);
            return await FailedAsync(businessId, account, fingerprint, timedOut, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask<SmtpAttempt> FailedAsync(string businessId, SmtpAccountSettings account, string fingerprint, SmtpTransportException exception, CancellationToken cancellationToken)
    {
        var failure = SmtpFailureClassifier.Classify(exception, account.Host);
        var now = _time.GetUtcNow();
        DateTimeOffset? resetsAt = failure.ResetsAfter is { } window ? now + window : null;
        if (failure.IsProviderQuota && resetsAt is { } until)
        {
            // The provider's word beats our count: nothing more goes to this mailbox until its window resets.
            await _quotas.MarkExhaustedAsync(AccountKey(account), until, failure.Reply ?? failure.Kind.ToString(), cancellationToken).ConfigureAwait(false);
        }

        _health.RecordFailure(businessId, fingerprint, failure, now, resetsAt);
        if (exception.Stage == SmtpStage.AfterData)
        {
            return SmtpAttempt.Uncertain(failure);
        }

        return SmtpAttempt.NotSent(failure, resetsAt);
    }

    private SmtpAttempt RefusedByLimit(string businessId, string fingerprint, QuotaDecision decision, SendLimits limits)
    {
        var now = _time.GetUtcNow();
        if (!decision.CanRetry)
        {
            var tooMany = new SmtpFailure(
                SmtpFailureKind.SendLimitReached,
                isAccountLevel: false,
                isTransient: false,
                $"This email has more recipients than your email provider accepts in one message ({limits.RecipientsPerMessage}): send it to fewer people at a time.",
                reply: decision.ToString());
            return SmtpAttempt.NotSent(tooMany, resumeAt: null);
        }

        var resumeAt = now + decision.RetryAfter;
        var failure = new SmtpFailure(
            SmtpFailureKind.SendLimitReached,
            isAccountLevel: true,
            isTransient: true,
            $"Your email provider's sending limit ({decision.Window}) has been reached: emails will go out through your account again after {resumeAt:yyyy-MM-dd HH:mm} UTC.",
            reply: decision.ToString());
        _health.RecordFailure(businessId, fingerprint, failure, now, resumeAt);
        LogThrottled(_logger, businessId, decision.Window, resumeAt);
        return SmtpAttempt.NotSent(failure, resumeAt);
    }

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "SMTP for business {BusinessId} is paused ({Kind}) until {RetryAt}: not attempted")]
    private static partial void LogBlocked(ILogger logger, string businessId, SmtpFailureKind kind, DateTimeOffset? retryAt);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "Business {BusinessId} reached its {Window} send limit: SMTP resumes at {ResumeAt}")]
    private static partial void LogThrottled(ILogger logger, string businessId, LimitWindow window, DateTimeOffset resumeAt);
}
