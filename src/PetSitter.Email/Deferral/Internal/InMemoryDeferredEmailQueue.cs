using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;

namespace PetSitter.Email.Deferral;

/// <summary>
/// The embedded deferred queue: ordered by due time (first in, first out among equal times), guarded by
/// one lock. Its contents are lost when the process stops; use a durable store where that matters.
/// </summary>
/// <remarks>
/// It holds at most <see cref="FallbackPolicyOptions.MaxInMemoryDeferred"/> new emails: one more is refused
/// with <see cref="DeferredQueueFullException"/>, which the sender reports as a failed outcome. An email the
/// dispatcher took and puts back is always taken back (it had a place), so the queue never drops what it held.
/// </remarks>
internal sealed class InMemoryDeferredEmailQueue : IDeferredEmailQueue, IAccountHeldMail
{
    private readonly Lock _gate = new();
    private readonly PriorityQueue<DeferredEmail, (DateTimeOffset DueAt, long Sequence)> _items = new();

    // Emails handed out before their first retry: the dispatcher may put one back as it is (when the app
    // stops), and it must be taken back even when full. Later tries come back as new instances with
    // Attempts above 0. Weak, so an email finished and forgotten leaves no trace.
    private readonly ConditionalWeakTable<DeferredEmail, object?> _handedOut = new();
    private readonly IOptions<FallbackPolicyOptions> _options;
    private long _sequence;

    public InMemoryDeferredEmailQueue()
        : this(Options.Create(new FallbackPolicyOptions()), telemetry: null)
    {
    }

    public InMemoryDeferredEmailQueue(IOptions<FallbackPolicyOptions> options, EmailTelemetry? telemetry = null)
    {
        ArgumentNullException.ThrowIfNull(options);

        // Read when first needed: the host validates the options at start, after building its services.
        _options = options;
        telemetry?.ObserveDeferredQueue("memory", () => Count);
    }

    /// <summary>Gets how many new emails the queue holds at most.</summary>
    internal int Capacity => _options.Value.MaxInMemoryDeferred;

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
            if (item.Attempts == 0 && !_handedOut.Remove(item) && _items.Count >= Capacity)
            {
                throw new DeferredQueueFullException(Capacity);
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
                var item = _items.Dequeue();
                if (item.Attempts == 0)
                {
                    _handedOut.AddOrUpdate(item, null);
                }

                (taken ??= []).Add(item);
            }
        }

        return ValueTask.FromResult<IReadOnlyList<DeferredEmail>>(taken ?? (IReadOnlyList<DeferredEmail>)[]);
    }

    public ValueTask<int> CountAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Count);
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
