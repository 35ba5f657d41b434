namespace PetSitter.Email;

/// <summary>
/// The embedded deferred queue: ordered by due time (first in, first out among equal times), guarded by
/// one lock. Its contents are lost when the process stops; use a durable store where that matters.
/// </summary>
internal sealed class InMemoryDeferredEmailQueue : IDeferredEmailQueue, IAccountHeldMail
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

    public ValueTask<IReadOnlyList<HeldAccount>> HeldAccountsAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        HashSet<HeldAccount>? held = null;
        lock (_gate)
        {
            // A scan per poll: the queue is bounded, and a scan needs no index to keep right.
            foreach (var (item, priority) in _items.UnorderedItems)
            {
                if (item.AccountFingerprint is { } fingerprint && priority.DueAt > now)
                {
                    (held ??= []).Add(new HeldAccount(item.BusinessId, fingerprint));
                }
            }
        }

        return ValueTask.FromResult<IReadOnlyList<HeldAccount>>(held is null ? [] : [.. held]);
    }

    public ValueTask<int> ReleaseAsync(string businessId, string currentFingerprint, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(businessId);
        ArgumentNullException.ThrowIfNull(currentFingerprint);
        cancellationToken.ThrowIfCancellationRequested();
        var released = 0;
        lock (_gate)
        {
            // Priorities cannot change in place: rebuild, keeping each email's place among equal due times.
            var all = _items.UnorderedItems.ToArray();
            _items.Clear();
            foreach (var (item, priority) in all)
            {
                if (priority.DueAt > now
                    && item.AccountFingerprint is { } fingerprint
                    && !string.Equals(fingerprint, currentFingerprint, StringComparison.Ordinal)
                    && string.Equals(item.BusinessId, businessId, StringComparison.Ordinal))
                {
                    _items.Enqueue(item.DueNow(now), (now, priority.Sequence));
                    released++;
                }
                else
                {
                    _items.Enqueue(item, priority);
                }
            }
        }

        return ValueTask.FromResult(released);
    }
}
