using System.Collections.Concurrent;
using System.Diagnostics;

namespace PetSitter.Email.Tests.Telemetry;

/// <summary>Records the library's spans while it lives. Spans are routed by source name to every listener in the process, so tests pick theirs by business id.</summary>
internal sealed class ActivityRecorder : IDisposable
{
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityListener _listener;

    public ActivityRecorder()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == PetSitterEmailTelemetry.ActivitySourceName,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public IReadOnlyList<Activity> For(string businessId) =>
        [.. _stopped.Where(a => Equals(a.GetTagItem("petsitter.email.business_id"), businessId))];

    public void Dispose() => _listener.Dispose();
}
