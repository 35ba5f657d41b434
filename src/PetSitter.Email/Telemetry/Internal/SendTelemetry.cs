using System.Diagnostics;

namespace PetSitter.Email.Telemetry;

/// <summary>
/// One send's telemetry in progress: its start time and its span, if anyone listens. A value type held in
/// the sender's own async state, so a send nobody observes allocates nothing for it.
/// </summary>
internal readonly struct SendTelemetry
{
    private readonly EmailTelemetry _owner;
    private readonly Activity? _activity;
    private readonly long _started;
    private readonly EmailCategory _category;
    private readonly bool _resend;

    public SendTelemetry(EmailTelemetry owner, Activity? activity, long started, EmailCategory category, bool resend)
    {
        _owner = owner;
        _activity = activity;
        _started = started;
        _category = category;
        _resend = resend;
    }

    /// <summary>Records the outcome on the span and the metrics, ends the span and hands the outcome back.</summary>
    public SendOutcome Completed(SendOutcome outcome)
    {
        var channel = TelemetryTags.Of(outcome.Channel);
        var status = TelemetryTags.Of(outcome.Status);
        var errorType = outcome.FailureKind is { } kind ? TelemetryTags.Of(kind) : null;
        if (_activity is { } activity)
        {
            activity.SetTag(TelemetryTags.Channel, channel);
            activity.SetTag(TelemetryTags.PlannedChannel, TelemetryTags.Of(outcome.PlannedChannel));
            activity.SetTag(TelemetryTags.Outcome, status);
            activity.SetTag(TelemetryTags.Fallback, TelemetryTags.Bool(outcome.IsFallback));
            if (errorType is not null)
            {
                activity.SetTag(TelemetryTags.ErrorType, errorType);
            }

            // Failed and "delivery uncertain" need someone to look; a deferral or a fallback is the policy working.
            if (outcome.Status is SendStatus.Failed or SendStatus.DeliveryUncertain)
            {
                activity.SetStatus(ActivityStatusCode.Error, errorType is null ? status : $"{status}: {errorType}");
            }

            activity.Dispose();
        }

        _owner.RecordSend(_category, _resend, _started, channel, status, errorType);
        return outcome;
    }

    /// <summary>Records a send that threw (invalid settings, no recipients, cancellation). Returns <see langword="false"/>, for use as an exception filter.</summary>
    public bool Threw(Exception exception)
    {
        var errorType = exception.GetType().FullName ?? exception.GetType().Name;
        if (_activity is { } activity)
        {
            activity.SetTag(TelemetryTags.ErrorType, errorType);
            activity.SetStatus(ActivityStatusCode.Error, errorType);
            activity.Dispose();
        }

        _owner.RecordSend(_category, _resend, _started, channel: "None", outcome: "Exception", errorType);
        return false;
    }
}
