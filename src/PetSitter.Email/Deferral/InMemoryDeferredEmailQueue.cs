namespace PetSitter.Email;

/// <summary>
/// The embedded deferred queue: ordered by due time (first in, first out among equal times), guarded by
/// one lock. Its contents are lost when the process stops; use a durable store where that matters.
/// </summary>
internal sealed class InMemoryDeferredEmailQueue : IDeferredEmailQueue
{
    private readonly Lock _gate = new();
    private readonly PriorityQueue<DeferredEmail, (DateTimeOffset DueAt, long Sequence)> _items = new();
    private long _sequence;

    public ValueTask EnqueueAsync(DeferredEmail item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            _items.Enqueue(item, (item.DueAt, _sequence++));
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyList<DeferredEmail>> TakeDueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        cancellationToken.ThrowIfCancellationRequested();
        List<DeferredEmail>? taken = null;
        lock (_gate)
        {
            while ((taken?.Count ?? 0) < max && _items.TryPeek(out _, out var priority) && priority.DueAt <= now)
            {
                (taken ??= []).Add(_items.Dequeue());
            }
        }

        return ValueTask.FromResult<IReadOnlyList<DeferredEmail>>(taken ?? (IReadOnlyList<DeferredEmail>)[]);
    }

    public ValueTask<int> CountAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return ValueTask.FromResult(_items.Count);
        }
    }
}
