using System.Diagnostics.Metrics;

namespace PetSitter.Email.Tests.Telemetry;

public sealed class ObservabilityDocTests
{
    [Fact]
    public void The_observability_page_lists_every_instrument_with_its_kind_and_unit()
    {
        using var probe = new MeterProbe();
        var published = new List<Instrument>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, probe.Factory))
                {
                    published.Add(instrument);
                }
            },
        };
        listener.Start();
        using var telemetry = new EmailTelemetry(probe.Factory, TimeProvider.System);
        var page = File.ReadAllText(Path.Combine(RepoRoot(), "docs", "observability.md"));

        published.Should().HaveCountGreaterThanOrEqualTo(9);
        foreach (var instrument in published)
        {
            var type = instrument.GetType().Name;
            var kind = type.StartsWith("Histogram", StringComparison.Ordinal) ? "histogram" : type.StartsWith("ObservableGauge", StringComparison.Ordinal) ? "gauge" : "counter";
            page.Should().Contain($"| `{instrument.Name}` | {kind} | `{instrument.Unit}` |", "every instrument is documented with its kind and unit");
            instrument.Description.Should().NotBeNullOrWhiteSpace();
        }
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PetSitter.Email.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("The repository root (PetSitter.Email.sln) was not found above the test binaries.");
    }
}
