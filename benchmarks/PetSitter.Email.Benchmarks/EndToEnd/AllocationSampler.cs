using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Globalization;

namespace PetSitter.Email.Benchmarks;

/// <summary>
/// The runtime's allocation ticks by type (<c>--alloc-e2e --by-type</c>): one event per about 100 KB allocated, naming
/// the type whose allocation crossed the mark, so a type's share of the ticks is its share of the bytes. Sampled, not
/// exact: read the ranking and the rough bytes per message, not single bytes.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private const long TickBytes = 100 * 1024;
    private readonly ConcurrentDictionary<string, int> _ticks = new();
    private volatile bool _on;

    public AllocationSampler() => _on = true;

    public void WriteTop(TextWriter output, int messages, int top)
    {
        _on = false;
        var total = _ticks.Values.Sum();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {total} ticks of ~100 KB; bytes per message by type (sampled):"));
        foreach (var (type, ticks) in _ticks.OrderByDescending(t => t.Value).Take(top))
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {ticks * TickBytes / messages,7:N0} B  {type}"));
        }
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            // GC keyword at verbose level carries GCAllocationTick_V4.
            EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (!_on || eventData.EventName is not { } name || !name.StartsWith("GCAllocationTick", StringComparison.Ordinal) || eventData.Payload is null)
        {
            return;
        }

        var at = eventData.PayloadNames?.IndexOf("TypeName") ?? -1;
        if (at >= 0 && eventData.Payload[at] is string type)
        {
            _ticks.AddOrUpdate(type, 1, (_, n) => n + 1);
        }
    }
}
