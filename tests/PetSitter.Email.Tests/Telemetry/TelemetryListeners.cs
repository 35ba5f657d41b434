namespace PetSitter.Email.Tests.Telemetry;

/// <summary>
/// The tests that listen to the library's spans and the one that measures what telemetry costs when nobody
/// listens: an activity listener is process-wide, so they must not overlap.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryListeners
{
    public const string Name = "Process-wide telemetry listeners";
}
