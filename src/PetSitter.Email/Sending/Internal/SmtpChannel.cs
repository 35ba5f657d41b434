using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using Polly;

namespace PetSitter.Email.Sending;

/// <summary>
/// The SMTP channel with its policy, in the order a message meets it:
/// <list type="number">
/// <item>the account's breaker (a wrong password or an exhausted quota stops attempts at once);</item>
/// <item>a look at the send limits that counts nothing (<see cref="ISendQuotaStore.PeekAsync"/>): a refusal
/// longer than the throttle waits for (an hour or day window, too many recipients) is handed back before any
/// connection is opened, so it costs no sign-in;</item>
/// <item>the account's lane (a turn among the account's concurrent sends, see <see cref="SmtpAccountLanes"/>),
/// after which the breaker is asked again if the send waited;</item>
/// <item>attempts of the transport, each under the attempt timeout (<see cref="SmtpAttemptTimeout"/>), retried by the Polly
/// pipeline when the first failed in a way worth retrying; the transport connects and signs in, and then,
/// right before MAIL FROM, passes the send gate: the message is counted against its limits there, waiting for a
/// short slot in first-come order until <see cref="SendLimitOptions.MaxThrottleWait"/> after the channel took it, and the breaker is asked
/// again after every wait, before the count, so a send that slept does not sign in or write on a stale verdict
/// and is not counted when it does not go out. Each attempt that writes MAIL FROM is counted: providers count
/// what reaches them.</item>
/// </list>
/// A known account failure wins over a limiter verdict: when a limit refuses, the breaker is asked first and an
/// open breaker names the outcome. A probe (the one send the breaker let through) is never asked again: its own
/// claim would block it. Every result is fed back: provider quota replies mark the account exhausted,
/// account-level failures open its breaker, a success closes it.
/// </summary>
internal sealed partial class SmtpChannel
{
    private readonly ISmtpTransport _transport;
    private readonly IAccountBreaker _health;
    private readonly ISendQuotaStore _quotas;
    private readonly SendThrottle _throttle;
    private readonly SmtpRetryPipeline _retry;
    private readonly SmtpAccountLanes _lanes;
    private readonly PetSitterEmailOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<SmtpChannel> _logger;
    private readonly EmailTelemetry _telemetry;
    private readonly MarketingReserve? _reserve;

    public SmtpChannel(
        ISmtpTransport transport,
        IAccountBreaker health,
        ISendQuotaStore quotas,
        SendThrottle throttle,
        SmtpRetryPipeline retry,
        IOptions<PetSitterEmailOptions> options,
        TimeProvider time,
        ILogger<SmtpChannel> logger,
        EmailTelemetry telemetry,
        MarketingReserve? reserve = null)
    {
        _options = options.Value;
        _lanes = new SmtpAccountLanes(time, _options.Smtp.ConnectionWaitTimeout);
        _transport = transport;
        _health = health;
        _quotas = quotas;
        _throttle = throttle;
        _retry = retry;
        _time = time;
        _logger = logger;
        _telemetry = telemetry;
        _reserve = reserve;
    }

    /// <summary>The key send limits are counted under: the mailbox, whichever business uses it.</summary>
    internal static string AccountKey(SmtpAccountSettings account) => account.LimitKey();

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<SmtpAttempt> SendAsync(string businessId, SmtpAccountSettings account, MimeMessage message, EmailCategory category, CancellationToken cancellationToken)
    {
        // Settings, not only credentials: a corrected security mode or From address must reopen the account too.
        var fingerprint = account.SettingsFingerprint();

        // Read before the breaker is asked: see the re-check once in the lane.
        var departures = _lanes.Departures;

        // For(category): an account paused for marketing (spam signal) is closed to marketing only.
        var gate = (await _health.CheckAsync(businessId, fingerprint, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false)).For(category);
        if (!gate.IsAllowed)
        {
            return Blocked(businessId, gate);
        }

        var limits = account.EffectiveLimits();
        var accountKey = AccountKey(account);
        var recipients = MessageRecipients.Count(message);

        // Marketing is checked against its share of the hour and day windows (and a new mailbox's warm-up ceiling):
        // the store counts every send in the same windows, so direct mail keeps the rest.
        var share = new MarketingShare(limits, 0, null, null);
        if (_reserve is not null)
        {
            share = await _reserve.ForAsync(account, accountKey, limits, category, cancellationToken).ConfigureAwait(false);
        }

        var full = limits;
        limits = share.Limits;

        // Counted only on the wire (see WireGate); here a look is enough to spare a doomed send its sign-in.
        var admitted = _time.GetTimestamp();
        var peek = await SendThrottle.PeekAsync(_quotas, account, accountKey, limits, recipients, cancellationToken).ConfigureAwait(false);
        if (!peek.IsAllowed && !_throttle.CanWaitFor(peek))
        {
            return await RefusedByLimitAsync(businessId, fingerprint, category, peek, limits, askBreaker: !gate.IsProbe, cancellationToken, Reserved(full, share, peek)).ConfigureAwait(false);
        }

        var width = account.MaxConnections ?? _options.Smtp.MaxConnectionsPerAccount;
        SmtpAccountLanes.Turn turn;
        try
        {
            // The fingerprint covers the mailbox (host, user name) and its settings: one lane per account version.
            turn = await _lanes.EnterAsync(fingerprint, width, cancellationToken).ConfigureAwait(false);
        }
        catch (SmtpAccountLanes.TurnTimeoutException timedOut)
        {
            // Worded as the connection pool words its own wait timeout, so it is classified the same way. Before a sign-in
            // the lane is one send wide whatever the cap, so the reason then is the send ahead, not busy connections.
            var why = timedOut.BeforeSignIn
                ? "the send ahead of it was still the first to sign in with these settings, and sends go one at a time until one has."
                : string.Create(CultureInfo.InvariantCulture, $"all {width} allowed connections were busy.");
            var busy = new SmtpTransportException(
                SmtpStage.Connect,
                null,
                string.Create(CultureInfo.InvariantCulture, $"No connection to {account.Host}:{account.Port} became free within {_options.Smtp.ConnectionWaitTimeout.TotalSeconds:0.#} s: {why}"));
            var failure = SmtpFailureClassifier.Classify(busy, account.Host, account.Provider);
            return await FailedAsync(businessId, account, fingerprint, busy, failure, cancellationToken).ConfigureAwait(false);
        }

        using (turn)
        {
            // Asked again when a send may have finished since this one asked: when it waited for its turn, or when
            // any turn ended meanwhile (the send that found the password wrong may have left, and dropped its lane,
            // just before this one came in without waiting: the race a burst on two cores hits). The sends ahead record
            // their results before they leave the lane. Otherwise there is nothing new to learn, which spares a shared
            // breaker a round trip. A probe is not asked again: it is the one send the breaker let through.
            if ((turn.Waited || _lanes.Departures != departures)
                && !gate.IsProbe
                && (await _health.CheckAsync(businessId, fingerprint, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false)).For(category) is { IsAllowed: false } closed)
            {
                return Blocked(businessId, closed);
            }

            var wire = new WireGate(this, businessId, fingerprint, category, accountKey, limits, recipients, gate.IsProbe, admitted) { Full = full, Share = share, Account = account, Message = message };

            cancellationToken.ThrowIfCancellationRequested();

            // The first attempt runs bare: Polly's retry takes over only when it failed in a way worth retrying, and
            // replays that failure as its own first attempt. Most sends succeed at once, and every one of them paid for
            // the pipeline (two async methods and its telemetry, about 450 ns per send without I/O; issue 16).
            var outcome = await SendThroughTransportAsync(wire, cancellationToken).ConfigureAwait(false);
            SmtpFailure? classified = null;
            if (outcome.Exception is SmtpTransportException first)
            {
                classified = SmtpFailureClassifier.Classify(first, account.Host, account.Provider);
                if (_retry.Retries && SmtpRetryPipeline.IsWorthRetrying(first, classified))
                {
                    (outcome, classified) = await RetryAsync(wire, first, classified, cancellationToken).ConfigureAwait(false);
                }
            }

            switch (outcome.Exception)
            {
                case null:
                    turn.SignedIn();
                    await _health.RecordSuccessAsync(businessId, fingerprint, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
                    return SmtpAttempt.Sent(outcome.Result!);

                case SmtpTransportException ex:
                    if (ex.Stage >= SmtpStage.MailFrom)
                    {
                        // The server answered past sign-in, so the credentials work.
                        turn.SignedIn();
                    }

                    return await FailedAsync(businessId, account, fingerprint, ex, classified!, cancellationToken).ConfigureAwait(false);

                case SmtpSendGateClosedException gateClosed:
                    if (_transport is IGatedSmtpTransport)
                    {
                        // The gated transport passes the gate on a connection that is connected and signed in.
                        turn.SignedIn();
                    }

                    if (gateClosed.Breaker is { } breaker)
                    {
                        return Blocked(businessId, breaker);
                    }

                    var refusal = gateClosed.Refusal!.Value;
                    return await RefusedByLimitAsync(businessId, fingerprint, wire.Category, refusal, wire.Limits, askBreaker: !wire.IsProbe, cancellationToken, Reserved(wire.Full, wire.Share, refusal)).ConfigureAwait(false);

                default:
                    // Cancellation, a transport refusing its arguments: the caller's, thrown with its original stack.
                    outcome.ThrowIfException();
                    throw new UnreachableException();
            }
        }
    }

    /// <summary>
    /// Polly's retry after a first attempt that failed in a way worth retrying: the pipeline's first attempt replays that
    /// failure, so Polly decides, waits and reports exactly as if it had run it.
    /// </summary>
    /// <returns>The last attempt's outcome, and the failure its exception was classified as (for an <see cref="SmtpTransportException"/>).</returns>
    private async ValueTask<(Outcome<DeliveryReceipt> Outcome, SmtpFailure? Failure)> RetryAsync(WireGate wire, SmtpTransportException first, SmtpFailure failure, CancellationToken cancellationToken)
    {
        // A pooled context, as the pipeline would take itself: it carries the account to the retry predicate and
        // the failure the predicate classified back here, so each failure is classified once.
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(SmtpRetryPipeline.Account, wire.Account);
        SmtpRetryPipeline.Remember(context, first, failure);
        wire.Replay(first);
        try
        {
            // The outcome, not the result: a failure comes back as a value rather than thrown again.
            var outcome = await _retry.Pipeline.ExecuteOutcomeAsync(
                static (context, wire) => wire.TakeReplay() is { } replayed
                    ? new ValueTask<Outcome<DeliveryReceipt>>(Outcome.FromException<DeliveryReceipt>(replayed))
                    : SendThroughTransportAsync(wire, context.CancellationToken),
                context,
                wire).ConfigureAwait(false);
            return (outcome, outcome.Exception is SmtpTransportException last ? SmtpRetryPipeline.Classify(context, last) : null);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>
    /// One attempt, under the attempt timeout: a timed-out attempt fails with <see cref="SmtpAttemptTimeout.TimedOut"/>,
    /// which is retried. A transport that breaks its contract (<see cref="ISmtpTransport"/> throws only
    /// <see cref="SmtpTransportException"/>) does not say how far it got: the server may have the message, so its failure
    /// counts as after DATA, which is never retried nor sent on another channel, and is reported uncertain.
    /// </summary>
    /// <remarks>Every failure is handed back as the outcome's exception (Polly's retry reads outcomes), not thrown.</remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<Outcome<DeliveryReceipt>> SendThroughTransportAsync(WireGate wire, CancellationToken cancellationToken)
    {
        var timeout = wire.AttemptTimeout;
        using var attempt = timeout.Start(cancellationToken);
        try
        {
            if (wire.Transport is IGatedSmtpTransport gated)
            {
                return Outcome.FromResult(await gated.SendAsync(wire.Account, wire.Message, wire, attempt.Token).ConfigureAwait(false));
            }

            // A transport that cannot pass the gate between sign-in and MAIL FROM is gated just before it is called.
            await wire.EnterAsync(attempt.Token).ConfigureAwait(false);
            try
            {
                return Outcome.FromResult(await wire.Transport.SendAsync(wire.Account, wire.Message, attempt.Token).ConfigureAwait(false));
            }
            catch (Exception ex) when (ex is not (SmtpTransportException or OperationCanceledException or ArgumentException or OutOfMemoryException))
            {
                // ArgumentException is left alone: a transport refusing its arguments has sent nothing, and it is the caller's bug.
                return Outcome.FromException<DeliveryReceipt>(new SmtpTransportException(
                    SmtpStage.AfterData,
                    null,
                    $"The SMTP transport failed without saying at which stage ({ex.GetType().Name}): the message may have been delivered, so it is not sent again.",
                    ex));
            }
        }
        catch (OperationCanceledException) when (attempt.HasTimedOut)
        {
            wire.AttemptTimedOut();
            return Outcome.FromException<DeliveryReceipt>(timeout.TimedOut());
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return Outcome.FromException<DeliveryReceipt>(ex);
        }
    }

    private SmtpAttempt Blocked(string businessId, AccountGate gate)
    {
        LogBlocked(_logger, businessId, gate.Failure!.Kind, gate.RetryAt);
        return SmtpAttempt.NotSent(gate.Failure, gate.RetryAt);
    }

    private async ValueTask<SmtpAttempt> FailedAsync(string businessId, SmtpAccountSettings account, string fingerprint, SmtpTransportException exception, SmtpFailure failure, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        DateTimeOffset? resetsAt = failure.ResetsAfter is { } window ? now + window : null;
        if (failure.IsProviderQuota && resetsAt is { } until)
        {
            // The provider's word beats our count: nothing more goes to this mailbox until its window resets.
            await _quotas.MarkExhaustedAsync(AccountKey(account), until, failure.Reply ?? failure.Kind.ToString(), cancellationToken).ConfigureAwait(false);
        }

        await _health.RecordFailureAsync(businessId, fingerprint, failure, now, resetsAt, cancellationToken).ConfigureAwait(false);
        if (exception.Stage == SmtpStage.AfterData)
        {
            return SmtpAttempt.Uncertain(failure);
        }

        return SmtpAttempt.NotSent(failure, resetsAt);
    }

    /// <summary>
    /// Whether a refusal is marketing's share (or its warm-up ceiling) rather than the account's own limit: the window
    /// that refused was lowered for marketing. The account itself may still send direct mail, so it is not the owner's news.
    /// </summary>
    private static MarketingShare? Reserved(SendLimits full, MarketingShare share, QuotaDecision decision)
    {
        if (ReferenceEquals(full, share.Limits))
        {
            return null;
        }

        var lowered = decision.Window switch
        {
            LimitWindow.MessagesPerHour => share.Limits.MessagesPerHour != full.MessagesPerHour,
            LimitWindow.MessagesPerDay => share.Limits.MessagesPerDay != full.MessagesPerDay,
            LimitWindow.RecipientsPerDay => share.Limits.RecipientsPerDay != full.RecipientsPerDay,
            _ => false,
        };
        return lowered ? share : null;
    }

    private async Task<SmtpAttempt> RefusedByLimitAsync(string businessId, string fingerprint, EmailCategory category, QuotaDecision decision, SendLimits limits, bool askBreaker, CancellationToken cancellationToken, MarketingShare? reserved = null)
    {
        // A known account failure wins: an owner whose password is wrong is told so, not that a limit was reached.
        if (askBreaker && (await _health.CheckAsync(businessId, fingerprint, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false)).For(category) is { IsAllowed: false } closed)
        {
            return Blocked(businessId, closed);
        }

        var now = _time.GetUtcNow();
        _telemetry.LimitRefused(decision.Window);
        if (!decision.CanRetry)
        {
            var tooMany = new SmtpFailure(
                SmtpFailureKind.SendLimitReached,
                isAccountLevel: false,
                isTransient: false,
                $"This email has more recipients than your email provider accepts in one message ({limits.RecipientsPerMessage}): send it to fewer people at a time.",
                reply: decision.ToString()) { LimitWindow = decision.Window };
            return SmtpAttempt.NotSent(tooMany, resumeAt: null);
        }

        var resumeAt = now + decision.RetryAfter;
        if (decision.Window == LimitWindow.StoreUnavailable)
        {
            // Our own store is down, not the owner's account: pause this message without touching the
            // account's health, so the owner is told nothing about a problem that is not theirs.
            var paused = new SmtpFailure(
                SmtpFailureKind.SendLimitReached,
                isAccountLevel: false,
                isTransient: true,
                $"Sending through your email account is paused briefly while the platform cannot check its sending limits: it resumes after {resumeAt:yyyy-MM-dd HH:mm} UTC.",
                reply: decision.ToString()) { LimitWindow = decision.Window };
            LogThrottled(_logger, businessId, decision.Window, resumeAt);
            return SmtpAttempt.NotSent(paused, resumeAt);
        }

        if (reserved is { } held)
        {
            return Reserved(businessId, decision, held, resumeAt);
        }

        var failure = new SmtpFailure(
            SmtpFailureKind.SendLimitReached,
            isAccountLevel: true,
            isTransient: true,
            $"Your email provider's sending limit ({decision.Window}) has been reached: emails will go out through your account again after {resumeAt:yyyy-MM-dd HH:mm} UTC.",
            reply: decision.ToString()) { LimitWindow = decision.Window };
        if (decision.Window is not (LimitWindow.MessagesPerSecond or LimitWindow.MessagesPerMinute))
        {
            // Only long waits are news for the owner; a busy second is not an account state.
            await _health.RecordFailureAsync(businessId, fingerprint, failure, now, resumeAt, cancellationToken).ConfigureAwait(false);
        }

        LogThrottled(_logger, businessId, decision.Window, resumeAt);
        return SmtpAttempt.NotSent(failure, resumeAt);
    }

    /// <summary>
    /// Marketing held back by its share or its warm-up: not an account failure (the breaker and the owner's health page
    /// are untouched, direct mail still goes), transient, so the category's fallback defers it to when it can go.
    /// </summary>
    private SmtpAttempt Reserved(string businessId, QuotaDecision decision, MarketingShare held, DateTimeOffset resumeAt)
    {
        string reason;
        if (decision.Window == LimitWindow.MessagesPerDay && held.WarmUpCeiling > 0)
        {
            // The ceiling doubles when the next warm-up day starts: the message may go then, before the window frees.
            if (held.NextWarmUpDay is { } nextDay && nextDay < resumeAt)
            {
                resumeAt = nextDay;
            }

            reason = string.Create(
                CultureInfo.InvariantCulture,
                $"Marketing paused while your mailbox warms up (day {held.WarmUpDay} of its warm-up: at most {held.WarmUpCeiling} emails a day, doubling each day), so providers do not take a sudden campaign for spam: it continues after {resumeAt:yyyy-MM-dd HH:mm} UTC; quotes and invoices still go out.");
        }
        else
        {
            reason = string.Create(
                CultureInfo.InvariantCulture,
                $"Marketing paused to keep room for quotes and invoices until {resumeAt:yyyy-MM-dd HH:mm} UTC: marketing may use only its share of your email provider's sending limit ({decision.Window}).");
        }

        var paused = new SmtpFailure(
            SmtpFailureKind.SendLimitReached,
            isAccountLevel: false,
            isTransient: true,
            reason,
            reply: decision.ToString()) { LimitWindow = decision.Window };
        LogMarketingHeld(_logger, businessId, decision.Window, resumeAt);
        return SmtpAttempt.NotSent(paused, resumeAt);
    }

    /// <summary>
    /// The send gate of one message (see <see cref="ISmtpSendGate"/>): counts it against its limits through the
    /// throttle and, after every wait, asks the breaker before the count.
    /// </summary>
    private sealed class WireGate(SmtpChannel channel, string businessId, string fingerprint, EmailCategory category, string accountKey, SendLimits limits, int recipients, bool isProbe, long admitted)
        : ISmtpSendGate, IThrottleWaitObserver
    {
        // The failure only, not its outcome: every send carries this field, and a reference is 16 bytes smaller.
        private SmtpTransportException? _replay;

        public SendLimits Limits => limits;

        /// <summary>Gets the account's own limits, when <see cref="Limits"/> are marketing's share of them.</summary>
        public required SendLimits Full { get; init; }

        /// <summary>Gets marketing's share and warm-up behind <see cref="Limits"/>.</summary>
        public required MarketingShare Share { get; init; }

        /// <summary>Gets the settings instance the in-memory store caches the account's cells on.</summary>
        public required SmtpAccountSettings Account { get; init; }

        /// <summary>Gets the message this gate lets onto the wire.</summary>
        /// <remarks>The gate is also the pipeline's state: one reference in each of Polly's state machines, not four.</remarks>
        public required MimeMessage Message { get; init; }

        public ISmtpTransport Transport => channel._transport;

        public SmtpAttemptTimeout AttemptTimeout => channel._retry.AttemptTimeout;

        /// <summary>Has the retry pipeline's first attempt hand back <paramref name="failure"/>, the first attempt's, instead of sending.</summary>
        public void Replay(SmtpTransportException failure) => _replay = failure;

        public SmtpTransportException? TakeReplay()
        {
            var replay = _replay;
            _replay = null;
            return replay;
        }

        public void AttemptTimedOut() => LogAttemptTimedOut(channel._logger, businessId, AttemptTimeout.Timeout);

        public EmailCategory Category => category;

        /// <summary>Gets whether this send is the breaker's probe: then nothing asks the breaker again for it.</summary>
        public bool IsProbe { get; private set; } = isProbe;

        public async ValueTask EnterAsync(CancellationToken cancellationToken)
        {
            // The bound counts from when the channel took the message: time spent in the lane and connecting is waiting too.
            // Passed to a probe too: a probe's wait is still measured, and AfterWaitAsync asks no breaker for it.
            var decision = await channel._throttle.AcquireAsync(Account, accountKey, limits, recipients, this, admitted, cancellationToken).ConfigureAwait(false);
            if (!decision.IsAllowed)
            {
                throw new SmtpSendGateClosedException(decision);
            }
        }

        public async ValueTask AfterWaitAsync(CancellationToken cancellationToken)
        {
            if (IsProbe)
            {
                return;
            }

            var gate = (await channel._health.CheckAsync(businessId, fingerprint, channel._time.GetUtcNow(), cancellationToken).ConfigureAwait(false)).For(category);
            if (!gate.IsAllowed)
            {
                throw new SmtpSendGateClosedException(gate);
            }

            // The breaker turned half-open while this send waited and chose it as the probe: asking again would block it.
            IsProbe = gate.IsProbe;
        }

        public void Waited(LimitWindow window, TimeSpan waited, bool acquired) => channel._telemetry.ThrottleWaited(window, waited, acquired);
    }

    [LoggerMessage(EventId = LogEvents.SmtpChannel.Blocked, Level = LogLevel.Information, Message = "SMTP for business {BusinessId} is paused ({Kind}) until {RetryAt}: not attempted")]
    private static partial void LogBlocked(ILogger logger, string businessId, SmtpFailureKind kind, DateTimeOffset? retryAt);

    [LoggerMessage(EventId = LogEvents.SmtpChannel.MarketingHeld, Level = LogLevel.Information, Message = "Business {BusinessId}: marketing reached its share ({Window}) of the send limit and waits until {ResumeAt}; direct mail keeps the rest")]
    private static partial void LogMarketingHeld(ILogger logger, string businessId, LimitWindow window, DateTimeOffset resumeAt);

    [LoggerMessage(EventId = LogEvents.SmtpChannel.AttemptTimedOut, Level = LogLevel.Warning, Message = "An SMTP attempt for business {BusinessId} did not finish within the attempt timeout ({Timeout}): abandoned as not sent")]
    private static partial void LogAttemptTimedOut(ILogger logger, string businessId, TimeSpan timeout);

    [LoggerMessage(EventId = LogEvents.SmtpChannel.Throttled, Level = LogLevel.Information, Message = "Business {BusinessId} reached its {Window} send limit: SMTP resumes at {ResumeAt}")]
    private static partial void LogThrottled(ILogger logger, string businessId, LimitWindow window, DateTimeOffset resumeAt);
}
