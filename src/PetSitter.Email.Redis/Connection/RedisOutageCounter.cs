using System.Diagnostics.Metrics;

namespace PetSitter.Email;

/// <summary>
/// Counts the operations the failure mode answered because Redis could not: per store, as the metric
/// <c>petsitter.email.redis.outage_fallbacks</c> (tags <c>store</c>, <c>mode</c>) and as totals for this
/// container.
/// </summary>
internal sealed class RedisOutageCounter
{
    public const string MeterName = "PetSitter.Email.Redis";
    public const string InstrumentName = "petsitter.email.redis.outage_fallbacks";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Fallbacks = Meter.CreateCounter<long>(InstrumentName, description: "Operations answered by the failure mode because Redis could not be reached");

    private long _limits;
    private long _health;
    private long _deferred;

    public long Limits => Interlocked.Read(ref _limits);

    public long Health => Interlocked.Read(ref _health);

    public long Deferred => Interlocked.Read(ref _deferred);

    public long Total => Limits + Health + Deferred;

    public void CountLimits(RedisFailureMode mode)
    {
        Interlocked.Increment(ref _limits);
        Fallbacks.Add(1, new KeyValuePair<string, object?>("store", "limits"), new KeyValuePair<string, object?>("mode", Tag(mode)));
    }

    public void CountHealth()
    {
        Interlocked.Increment(ref _health);
        Fallbacks.Add(1, new KeyValuePair<string, object?>("store", "health"), new KeyValuePair<string, object?>("mode", "local"));
    }

    public void CountDeferred()
    {
        Interlocked.Increment(ref _deferred);
        Fallbacks.Add(1, new KeyValuePair<string, object?>("store", "deferred"), new KeyValuePair<string, object?>("mode", "held-in-memory"));
    }

    private static string Tag(RedisFailureMode mode) => mode == RedisFailureMode.FailOpen ? "fail-open" : "fail-closed";
}
