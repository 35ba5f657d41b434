using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace PetSitter.Email.Sending;

/// <summary>
/// The Polly part of the SMTP channel: retry of transient failures only, exponential backoff with jitter, bounded;
/// and the timeout each attempt runs under (<see cref="AttemptTimeout"/>, started by the channel inside the attempt).
/// </summary>
/// <remarks>
/// <para>The account breaker and the look at the limits sit outside this pipeline (see <see cref="SmtpChannel"/>):
/// they decide before any byte is sent whether SMTP is tried at all, and the breaker must open after a
/// single wrong password, which Polly's ratio-based breaker (MinimumThroughput of at least 2) cannot do. The
/// count itself happens inside each attempt, right before MAIL FROM (the send gate), so an attempt that
/// writes MAIL FROM again is counted again; a refusal there is not an <see cref="SmtpTransportException"/>
/// and is never retried.</para>
/// <para>The retry and timeout settings are the same for every account and hold no per-account state,
/// so one pipeline serves all accounts; what differs per account (limits, health) is keyed by account.</para>
/// <para>Nothing is retried once the server may have the message: a failure after the end of DATA is
/// not handled here, and the transport never cancels the wait for the verdict once the message is on the
/// wire, so an attempt timeout always means "not sent". The attempt timeout is not one of Polly's strategies: it is the
/// channel's own (<see cref="SmtpAttemptTimeout"/>), which spares an async layer per attempt; a timed-out attempt
/// fails with an <see cref="SmtpTransportException"/> before the verdict, which is transient and retried.</para>
/// <para>The channel runs a send's first attempt without this pipeline, and hands it over only when that attempt failed
/// in a way <see cref="IsWorthRetrying"/>: the pipeline's first attempt then replays that failure, so Polly decides,
/// waits and reports as if it had run it. A send that succeeds at once, most of them, never meets Polly (issue 16: the
/// pipeline's two async methods and telemetry cost about 450 ns per send without I/O); its telemetry therefore
/// covers the sends that were retried.</para>
/// <para>Each failure is classified once, here, with the account's host and provider (the channel puts the account
/// in the <see cref="ResilienceContext"/> as <see cref="Account"/>): the retry decision and the outcome the
/// channel reports read the same <see cref="SmtpFailure"/>, which <see cref="Classify"/> hands back from the context.</para>
/// </remarks>
internal sealed class SmtpRetryPipeline
{
    /// <summary>The account an execution sends through: its host and provider pick provider-specific rules.</summary>
    // Stryker disable once String : Polly keys the context's properties by this name, set and read through this one field, and no other key of the context is named "" (the context never leaves the channel, nor is logged).
    internal static readonly ResiliencePropertyKey<SmtpAccountSettings> Account = new("PetSitter.Email.Smtp.Account");

    /// <summary>The failure classified last in an execution.</summary>
    // Stryker disable once String : Polly keys the context's properties by this name, set and read through this one field, and no other key of the context is named "" (the context never leaves the channel, nor is logged).
    internal static readonly ResiliencePropertyKey<SmtpFailure> Failure = new("PetSitter.Email.Smtp.Failure");

    /// <summary>The exception <see cref="Failure"/> was classified from: a newer exception is classified anew.</summary>
    // Stryker disable once String : Polly keys the context's properties by this name, and no other key of the context is named "" (the context never leaves the channel, nor is logged).
    private static readonly ResiliencePropertyKey<SmtpTransportException> ClassifiedException = new("PetSitter.Email.Smtp.ClassifiedException");

    public SmtpRetryPipeline(IOptions<PetSitterEmailOptions> options, TimeProvider timeProvider, ILoggerFactory loggerFactory)
    {
        var settings = options.Value.Retry;
        var builder = new ResiliencePipelineBuilder<DeliveryReceipt> { Name = "PetSitter.Email.Smtp", TimeProvider = timeProvider };

        // Polly's own logs (category "Polly") and meter ("Polly"): retries, see PollyTelemetry.
        builder.ConfigureTelemetry(PollyTelemetry.Options(loggerFactory));
        if (settings.MaxRetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<DeliveryReceipt>
            {
                Name = "transient-retry",
                MaxRetryAttempts = settings.MaxRetryAttempts,
                Delay = settings.Delay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = static args => new ValueTask<bool>(args.Outcome.Exception switch
                {
                    SmtpTransportException exception => IsWorthRetrying(exception, Classify(args.Context, exception)),
                    _ => false,
                }),
            });
        }

        Retries = settings.MaxRetryAttempts > 0;
        Pipeline = builder.Build();
        AttemptTimeout = new SmtpAttemptTimeout(settings.AttemptTimeout, timeProvider);
    }

    /// <summary>Gets whether a failed attempt may be retried at all (<see cref="SmtpRetryOptions.MaxRetryAttempts"/> above 0).</summary>
    public bool Retries { get; }

    /// <summary>Gets the timeout each attempt runs under.</summary>
    public SmtpAttemptTimeout AttemptTimeout { get; }

    // Typed to the receipt: an untyped pipeline executed for a result bridges every execution through Outcome<object>,
    // one more async state machine per send.
    public ResiliencePipeline<DeliveryReceipt> Pipeline { get; }

    /// <summary>
    /// Classifies <paramref name="exception"/> with the host and provider of the context's <see cref="Account"/>, once:
    /// asked again for the same exception (the retry predicate saw it, now the channel reports it), it hands back
    /// the failure stored in the context.
    /// </summary>
    internal static SmtpFailure Classify(ResilienceContext context, SmtpTransportException exception)
    {
        var properties = context.Properties;
        if (properties.TryGetValue(ClassifiedException, out var classified)
            && ReferenceEquals(classified, exception)
            && properties.TryGetValue(Failure, out var known))
        {
            return known;
        }

        properties.TryGetValue(Account, out var account);
        var failure = SmtpFailureClassifier.Classify(exception, account?.Host, account?.Provider);
        Remember(context, exception, failure);
        return failure;
    }

    /// <summary>Stores <paramref name="failure"/> as what <paramref name="exception"/> was classified as, for <see cref="Classify"/> to hand back.</summary>
    internal static void Remember(ResilienceContext context, SmtpTransportException exception, SmtpFailure failure)
    {
        context.Properties.Set(Failure, failure);
        context.Properties.Set(ClassifiedException, exception);
    }

    /// <summary>Only failures that say nothing about the account or the message and happened before the server could have the message.</summary>
    internal static bool IsWorthRetrying(SmtpTransportException exception, SmtpFailure failure) =>
        exception.Stage != SmtpStage.AfterData
        && failure.IsTransient && !failure.IsAccountLevel && failure.Kind == SmtpFailureKind.Transient && !failure.IsProviderQuota;
}
