using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace PetSitter.Email.Tests.Telemetry;

/// <summary>
/// A meter factory of the test's own, handed to the library as the host's: collectors made here see this test's
/// instruments only, however many other tests send email at the same time.
/// </summary>
internal sealed class MeterProbe : IDisposable
{
    private readonly ServiceProvider _metrics = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly MeterListener _everything = new();
    private readonly List<(string Instrument, KeyValuePair<string, object?>[] Tags)> _all = [];

    public MeterProbe()
    {
        // Every measurement of every instrument on this factory's meters, for checks across instruments.
        _everything.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, Factory))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _everything.SetMeasurementEventCallback<long>((instrument, _, tags, _) => Keep(instrument, tags));
        _everything.SetMeasurementEventCallback<double>((instrument, _, tags, _) => Keep(instrument, tags));
        _everything.Start();
    }

    public IMeterFactory Factory => _metrics.GetRequiredService<IMeterFactory>();

    public IReadOnlyList<(string Instrument, KeyValuePair<string, object?>[] Tags)> All
    {
        get
        {
            lock (_all)
            {
                return [.. _all];
            }
        }
    }

    /// <summary>Registers the factory in the library's container, as a host's <c>AddMetrics</c> would.</summary>
    public void Register(IPetSitterEmailBuilder builder) => builder.Services.AddSingleton(Factory);

    public MetricCollector<long> Counter(string name) => new(Factory, PetSitterEmailTelemetry.MeterName, name);

    public MetricCollector<double> Histogram(string name) => new(Factory, PetSitterEmailTelemetry.MeterName, name);

    public void Dispose()
    {
        _everything.Dispose();
        _metrics.Dispose();
    }

    private void Keep(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        lock (_all)
        {
            _all.Add((instrument.Name, tags.ToArray()));
        }
    }
}
