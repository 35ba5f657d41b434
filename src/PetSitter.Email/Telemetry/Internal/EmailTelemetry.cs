using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace PetSitter.Email.Telemetry;

/// <summary>
/// The library's metrics (a <see cref="Meter"/> named <see cref="PetSitterEmailTelemetry.MeterName"/>) and its
/// send span (an <see cref="ActivitySource"/> of the same name). The sending code calls one method per event;
/// each checks first whether anyone listens, so telemetry nobody collects costs a branch and no allocation.
/// </summary>
/// <remarks>
/// Metric tags come from small closed sets (category, channel, outcome, failure kind, provider, limit window):
/// never an address, a subject, a business id or a Message-ID, whose values are unbounded. The span, which is
/// sampled per send, carries the business id.
/// </remarks>
internal sealed class EmailTelemetry : IDisposable
{
    public const string SendSpanName = "petsitter.email.send";

    private static readonly string? Version = typeof(EmailTelemetry).Assembly.GetName().Version?.ToString();

    /// <summary>One per process, as spans are routed by source name only; listeners decide what they keep.</summary>
    internal static readonly ActivitySource Source = new(PetSitterEmailTelemetry.ActivitySourceName, Version);

    // Seconds, from a pickup-directory write to an SMTP send that waited out its limits and retries.
    private static readonly double[] DurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
    private static readonly double[] WaitBuckets = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60];

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly TimeProvider _time;
    private DeferredQueueObserver? _deferredQueue;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/> (the host's, so they are scoped and disposed with it), or on a meter of its own.</summary>
    public EmailTelemetry(IMeterFactory? meterFactory, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        var options = new MeterOptions(PetSitterEmailTelemetry.MeterName) { Version = Version };
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(options) ?? new Meter(options);

        Sends = _meter.CreateCounter<long>(
            "petsitter.email.sends", "{email}", "Emails handed to the library, by the channel that carried them (or was last tried), category and outcome.");
        SendDuration = _meter.CreateHistogram(
            "petsitter.email.send.duration", "s", "How long a send took, from the call to its outcome (limits waited, retries and fallback included).", tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        SmtpFailures = _meter.CreateCounter<long>(
            "petsitter.email.smtp.failures", "{failure}", "Sends the business's SMTP account could not take, by failure kind, SMTP stage and provider.");
        Fallbacks = _meter.CreateCounter<long>(
            "petsitter.email.fallbacks", "{email}", "Emails sent on the native channel because SMTP could not take them, by failure kind.");
        Deferrals = _meter.CreateCounter<long>(
            "petsitter.email.deferrals", "{email}", "Emails held to be sent from the business's mailbox later, by failure kind.");
        DeferredAbandoned = _meter.CreateCounter<long>(
            "petsitter.email.deferred.abandoned", "{email}", "Deferred emails given up on (too many tries or held too long): each ended failed.");
        ThrottleWaits = _meter.CreateCounter<long>(
            "petsitter.email.throttle.waits", "{wait}", "Sends that waited for a short send-limit window, by the window and whether the wait ended in a slot.");
        ThrottleWaitDuration = _meter.CreateHistogram(
            "petsitter.email.throttle.wait.duration", "s", "How long a send waited for a short send-limit window.", tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = WaitBuckets });
        LimitRefusals = _meter.CreateCounter<long>(
            "petsitter.email.limit.refusals", "{email}", "Sends the account's send limits refused (after any short wait), by the limit window.");
        DeferredQueued = _meter.CreateObservableGauge(
            "petsitter.email.deferred.queued", ObserveDeferredQueue, "{email}", "Emails waiting in the deferred queue: this process's in-memory queue, or the shared Redis queue as last read (at each dispatcher poll).");
    }

    public Counter<long> Sends { get; }

    public Histogram<double> SendDuration { get; }

    public Counter<long> SmtpFailures { get; }

    public Counter<long> Fallbacks { get; }

    public Counter<long> Deferrals { get; }

    public Counter<long> DeferredAbandoned { get; }

    public Counter<long> ThrottleWaits { get; }

    public Histogram<double> ThrottleWaitDuration { get; }

    public Counter<long> LimitRefusals { get; }

    public ObservableGauge<int> DeferredQueued { get; }

    internal Meter Meter => _meter;

    /// <summary>The send span in progress on this flow, if it is ours (an app's own span is left alone).</summary>
    internal static Activity? CurrentSendSpan =>
        Activity.Current is { } current && ReferenceEquals(current.Source, Source) && current.OperationName == SendSpanName ? current : null;

    /// <summary>Starts timing a send and, when someone listens, its span.</summary>
    public SendTelemetry StartSend(OutgoingEmail email, bool resend)
    {
        var activity = Source.StartActivity(SendSpanName, ActivityKind.Internal);
        if (activity is not null)
        {
            activity.SetTag(TelemetryTags.BusinessId, email.BusinessId);
            activity.SetTag(TelemetryTags.Category, TelemetryTags.Of(email.Category));
            activity.SetTag(TelemetryTags.Resend, TelemetryTags.Bool(resend));
        }

        var started = Sends.Enabled || SendDuration.Enabled ? _time.GetTimestamp() : 0;
        return new SendTelemetry(this, activity, started, email.Category, resend);
    }

    internal void RecordSend(EmailCategory category, bool resend, long started, string channel, string outcome, string? errorType)
    {
        if (!Sends.Enabled && !SendDuration.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { TelemetryTags.Channel, channel },
            { TelemetryTags.Category, TelemetryTags.Of(category) },
            { TelemetryTags.Outcome, outcome },
            { TelemetryTags.Resend, TelemetryTags.Bool(resend) },
        };
        if (errorType is not null)
        {
            tags.Add(TelemetryTags.ErrorType, errorType);
        }

        Sends.Add(1, in tags);
        if (SendDuration.Enabled && started != 0)
        {
            SendDuration.Record(_time.GetElapsedTime(started).TotalSeconds, in tags);
        }
    }

    /// <summary>The SMTP account could not take a send (refused, failed, blocked by its breaker or its limits).</summary>
    public void SmtpFailed(EmailCategory category, SmtpFailure failure, string? host)
    {
        if (!SmtpFailures.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { TelemetryTags.ErrorType, TelemetryTags.Of(failure.Kind) },
            { TelemetryTags.Category, TelemetryTags.Of(category) },
            { TelemetryTags.Provider, TelemetryTags.ProviderOf(host) },
        };
        if (failure.Stage is { } stage)
        {
            tags.Add(TelemetryTags.SmtpStage, TelemetryTags.Of(stage));
        }

        SmtpFailures.Add(1, in tags);
    }

    /// <summary>The fallback policy sends a message SMTP could not take on the native channel.</summary>
    public void FellBack(EmailCategory category, SmtpFailure failure, string? host)
    {
        CurrentSendSpan?.AddEvent(new ActivityEvent("fallback"));
        if (!Fallbacks.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { TelemetryTags.FallbackFrom, TelemetryTags.Of(EmailChannel.Smtp) },
            { TelemetryTags.FallbackTo, TelemetryTags.Of(EmailChannel.Native) },
            { TelemetryTags.ErrorType, TelemetryTags.Of(failure.Kind) },
            { TelemetryTags.Category, TelemetryTags.Of(category) },
            { TelemetryTags.Provider, TelemetryTags.ProviderOf(host) },
        };
        Fallbacks.Add(1, in tags);
    }

    /// <summary>A message is held for a later send from the business's mailbox (first time, or again after a deferred try).</summary>
    public void Deferred(EmailCategory category, SmtpFailure failure, string? host, bool resend)
    {
        if (!Deferrals.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { TelemetryTags.ErrorType, TelemetryTags.Of(failure.Kind) },
            { TelemetryTags.Category, TelemetryTags.Of(category) },
            { TelemetryTags.Provider, TelemetryTags.ProviderOf(host) },
            { TelemetryTags.Resend, TelemetryTags.Bool(resend) },
        };
        Deferrals.Add(1, in tags);
    }

    /// <summary>The deferred-mail dispatcher gave up on a message.</summary>
    public void DeferredGaveUp(EmailCategory category, SmtpFailureKind kind)
    {
        if (DeferredAbandoned.Enabled)
        {
            DeferredAbandoned.Add(1, new(TelemetryTags.ErrorType, TelemetryTags.Of(kind)), new(TelemetryTags.Category, TelemetryTags.Of(category)));
        }
    }

    /// <summary>The throttle waited for a short window (<paramref name="window"/> refused first) and then got a slot or gave the refusal back.</summary>
    public void ThrottleWaited(LimitWindow window, TimeSpan waited, bool acquired)
    {
        CurrentSendSpan?.SetTag(TelemetryTags.ThrottleWait, waited.TotalSeconds);
        if (!ThrottleWaits.Enabled && !ThrottleWaitDuration.Enabled)
        {
            return;
        }

        var windowTag = new KeyValuePair<string, object?>(TelemetryTags.LimitWindow, TelemetryTags.Of(window));
        var resultTag = new KeyValuePair<string, object?>(TelemetryTags.ThrottleResult, acquired ? TelemetryTags.Acquired : TelemetryTags.Refused);
        ThrottleWaits.Add(1, windowTag, resultTag);
        ThrottleWaitDuration.Record(waited.TotalSeconds, windowTag, resultTag);
    }

    /// <summary>The account's send limits refused a send (a long window, a store outage, too many recipients).</summary>
    public void LimitRefused(LimitWindow window)
    {
        if (LimitRefusals.Enabled)
        {
            LimitRefusals.Add(1, new KeyValuePair<string, object?>(TelemetryTags.LimitWindow, TelemetryTags.Of(window)));
        }
    }

    /// <summary>Makes <paramref name="length"/> the source of <see cref="DeferredQueued"/>; it returns <see langword="null"/> while the length is unknown.</summary>
    /// <param name="kind">The queue's tag value: <c>memory</c> or <c>redis</c>.</param>
    /// <param name="length">Reads the length without I/O (a gauge is read on the exporter's thread).</param>
    internal void ObserveDeferredQueue(string kind, Func<int?> length) =>
        _deferredQueue = new DeferredQueueObserver(new KeyValuePair<string, object?>(TelemetryTags.Queue, kind), length);

    private IEnumerable<Measurement<int>> ObserveDeferredQueue() =>
        _deferredQueue is { } observer && observer.Length() is { } length
            ? [new Measurement<int>(length, observer.Tag)]
            : [];

    public void Dispose()
    {
        // A factory's meter is the factory's to dispose (with the host's container).
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private sealed record DeferredQueueObserver(KeyValuePair<string, object?> Tag, Func<int?> Length);
}
