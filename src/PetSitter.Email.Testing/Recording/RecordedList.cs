namespace PetSitter.Email.Testing;

/// <summary>
/// A thread-safe, append-only list whose readers can await a count without polling: each waiter is a
/// task completed by the append that reaches its count.
/// </summary>
internal sealed class RecordedList<T>
{
    private readonly Lock _lock = new();
    private readonly List<T> _items = [];
    private readonly List<(int Count, TaskCompletionSource<IReadOnlyList<T>> Signal)> _waiters = [];

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _items.Count;
            }
        }
    }

    public IReadOnlyList<T> Snapshot()
    {
        lock (_lock)
        {
            return [.. _items];
        }
    }

    /// <summary>Appends an item and returns its 1-based position.</summary>
    public int Add(T item)
    {
        List<(TaskCompletionSource<IReadOnlyList<T>> Signal, IReadOnlyList<T> Items)>? reached = null;
        int position;
        lock (_lock)
        {
            _items.Add(item);
            position = _items.Count;
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Count <= position)
                {
                    (reached ??= []).Add((_waiters[i].Signal, [.. _items]));
                    _waiters.RemoveAt(i);
                }
            }
        }

        // Completed outside the lock: continuations run asynchronously anyway, but a waiter's cancellation
        // callback must never find the lock held.
        if (reached is not null)
        {
            foreach (var (signal, items) in reached)
            {
                signal.TrySetResult(items);
            }
        }

        return position;
    }

    public async Task<IReadOnlyList<T>> WaitForCountAsync(int count, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        TaskCompletionSource<IReadOnlyList<T>> signal;
        lock (_lock)
        {
            if (_items.Count >= count)
            {
                return [.. _items];
            }

            signal = new TaskCompletionSource<IReadOnlyList<T>>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, signal));
        }

        using var registration = cancellationToken.Register(() =>
        {
            lock (_lock)
            {
                _waiters.RemoveAll(w => w.Signal == signal);
            }

            signal.TrySetCanceled(cancellationToken);
        });
        return await signal.Task.ConfigureAwait(false);
    }
}
