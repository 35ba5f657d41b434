using System.Collections.Concurrent;

namespace PetSitter.Email.Suppression;

/// <summary>
/// The embedded default <see cref="ISuppressionList"/>: this process's memory, lost on restart. An app with
/// several instances, or one that must remember unsubscribes across deployments, uses the Redis list.
/// </summary>
internal sealed class InMemorySuppressionList(TimeProvider time) : ISuppressionList
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, SuppressionEntry>> _businesses = new(StringComparer.Ordinal);

    public ValueTask<bool> AddAsync(string businessId, string address, SuppressionReason reason, CancellationToken cancellationToken = default)
    {
        SuppressionAddresses.EnsureBusiness(businessId, nameof(businessId));
        var key = SuppressionAddresses.Normalize(address, nameof(address));
        var entry = new SuppressionEntry(key, reason, time.GetUtcNow());
        var list = _businesses.GetOrAdd(businessId, static _ => new ConcurrentDictionary<string, SuppressionEntry>(StringComparer.Ordinal));
        return ValueTask.FromResult(list.TryAdd(key, entry));
    }

    public ValueTask<bool> RemoveAsync(string businessId, string address, CancellationToken cancellationToken = default)
    {
        SuppressionAddresses.EnsureBusiness(businessId, nameof(businessId));
        var key = SuppressionAddresses.Normalize(address, nameof(address));
        return ValueTask.FromResult(_businesses.TryGetValue(businessId, out var list) && list.TryRemove(key, out _));
    }

    public ValueTask<SuppressionEntry?> FindAsync(string businessId, string address, CancellationToken cancellationToken = default)
    {
        SuppressionAddresses.EnsureBusiness(businessId, nameof(businessId));
        var key = SuppressionAddresses.Normalize(address, nameof(address));
        return ValueTask.FromResult(_businesses.TryGetValue(businessId, out var list) && list.TryGetValue(key, out var entry) ? entry : null);
    }

    public ValueTask<IReadOnlyList<SuppressionEntry>> ListAsync(string businessId, CancellationToken cancellationToken = default)
    {
        SuppressionAddresses.EnsureBusiness(businessId, nameof(businessId));
        IReadOnlyList<SuppressionEntry> entries = _businesses.TryGetValue(businessId, out var list)
            ? [.. list.Values.OrderBy(static e => e.Address, StringComparer.Ordinal)]
            : [];
        return ValueTask.FromResult(entries);
    }
}
