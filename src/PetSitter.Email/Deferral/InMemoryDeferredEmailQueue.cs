using Microsoft.Extensions.Options;

namespace PetSitter.Email;

/// <summary>
/// The embedded deferred queue: ordered by due time (first in, first out among equal times), guarded by
/// one lock. Its contents are lost when the process stops; use a durable store where that matters.
/// </summary>
/// <remarks>
/// It holds at most <see cref="FallbackPolicyOptions.MaxInMemoryDeferred"/> new emails: one more is refused
/// with <see cref="DeferredQueueFullException"/>, which the sender reports as a failed outcome. An email the
/// dispatcher took and puts back is always taken back (it had a place), so the queue never drops what it held.
/// </remarks>
internal sealed class InMemoryDeferredEmailQueue : IDeferredEmailQueue
{
    /// <summary>Marks an email this queue handed out, so putting it back is never refused for capacity.</summary>
    private static readonly object HandedOut = new();

    private readonly Lock _gate = new();
    private readonly PriorityQueue<DeferredEmail, (DateTimeOffset DueAt, long Sequence)> _items = new();
    private readonly int _capacity;
    private long _sequence;

    public InMemoryDeferredEmailQueue()
        : this(Options.Create(new FallbackPolicyOptions()), telemetry: null)
    {
    }

    public InMemoryDeferredEmailQueue(IOptions<FallbackPolicyOptions> options, EmailTelemetry? telemetry = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _capacity = options.Value.MaxInMemoryDeferred;
        telemetry?.ObserveDeferredQueue("memory", () => Count);
    }

    /// <summary>Gets how many new emails the queue holds at most.</summary>
    internal int Capacity => _capacity;

    private int Count
    {
        get
        {
            lock (_gate)
            {
                return _items.Count;
            }
        }
    }

    public ValueTask EnqueueAsync(DeferredEmail item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (item.QueueReceipt != HandedOut && _items.Count >= _capacity)
            {
                throw new DeferredQueueFullException(_capacity);
            }

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
                (taken ??= []).Add(Mark(_items.Dequeue()));
            }
        }

        return ValueTask.FromResult<IReadOnlyList<DeferredEmail>>(taken ?? (IReadOnlyList<DeferredEmail>)[]);
    }

    public ValueTask<int> CountAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Count);
    }

    private static DeferredEmail Mark(DeferredEmail item) =>
        item.QueueReceipt == HandedOut
            ? item
            : new DeferredEmail(item.Email, item.DueAt, item.LastFailure, item.FirstDeferredAt, item.Attempts) { QueueReceipt = HandedOut };
}
