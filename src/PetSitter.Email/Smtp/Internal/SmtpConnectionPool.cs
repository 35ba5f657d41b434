namespace PetSitter.Email.Smtp;

/// <summary>
/// The connections of one SMTP account: at most <see cref="Capacity"/> open at once (counting those
/// being opened or closed, so the server never sees more), reused newest first, closed when idle too
/// long. A send that finds every connection busy waits in line, bounded by the wait timeout.
/// </summary>
/// <remarks>
/// Slots, not connections, are the scarce thing: a renter holds a slot from the moment it decides to
/// open a connection until that connection is closed. A returned connection goes straight to the
/// oldest waiter; a closed one hands its slot to the oldest waiter. Time comes from the
/// <see cref="TimeProvider"/>: idle connections are noticed when the pool is next used or swept.
/// </remarks>
internal sealed class SmtpConnectionPool<TConnection>
    where TConnection : class, IPooledSmtpConnection
{
    private readonly object _gate = new();
    private readonly List<TConnection> _idle = [];
    private readonly LinkedList<TaskCompletionSource<Grant>> _waiters = new();
    private readonly Func<CancellationToken, Task<TConnection>> _openConnection;
    private readonly TimeSpan _idleTimeout;
    private readonly TimeSpan _waitTimeout;
    private readonly TimeProvider _time;
    private int _openCount;
    private bool _retired;
    private DateTimeOffset _lastActivity;

    public SmtpConnectionPool(int capacity, TimeSpan idleTimeout, TimeSpan waitTimeout, TimeProvider time, Func<CancellationToken, Task<TConnection>> open)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _idleTimeout = idleTimeout;
        _waitTimeout = waitTimeout;
        _time = time;
        _openConnection = open;
        _lastActivity = time.GetUtcNow();
    }

    public int Capacity { get; }

    /// <summary>Gets the connections open or being opened or closed.</summary>
    public int OpenCount
    {
        get
        {
            lock (_gate)
            {
                return _openCount;
            }
        }
    }

    /// <summary>Gets the connections waiting in the pool for a send.</summary>
    public int IdleCount
    {
        get
        {
            lock (_gate)
            {
                return _idle.Count;
            }
        }
    }

    /// <summary>Gets whether the pool has been retired (settings changed, unused, or shut down).</summary>
    public bool IsRetired
    {
        get
        {
            lock (_gate)
            {
                return _retired;
            }
        }
    }

    /// <summary>
    /// Rents a connection: the most recently used idle one that is still fresh, else a new one when a
    /// slot is free, else the next one returned (waiting at most the wait timeout).
    /// </summary>
    /// <param name="forceNew">Open a new connection even if an idle one is available: in a free slot, else in the slot of the oldest idle one.</param>
    /// <param name="cancellationToken">Cancels the wait and the opening.</param>
    /// <returns>The lease, or <see langword="null"/> when the pool was retired: ask the owner for the current pool.</returns>
    /// <exception cref="TimeoutException">No connection became free within the wait timeout.</exception>
    /// <remarks>A <see cref="ValueTask{TResult}"/>: a send that finds an idle connection, the usual case, allocates no task.</remarks>
    public async ValueTask<SmtpConnectionLease<TConnection>?> RentAsync(bool forceNew, CancellationToken cancellationToken)
    {
        TConnection? stale = null;
        LinkedListNode<TaskCompletionSource<Grant>>? waiter = null;
        lock (_gate)
        {
            if (_retired)
            {
                return null;
            }

            var now = _time.GetUtcNow();
            _lastActivity = now;
            if (forceNew)
            {
                // A free slot keeps the idle connections; else the oldest idle one (the likeliest to be
                // stale) gives up its slot.
                if (_openCount < Capacity)
                {
                    _openCount++;
                }
                else if (_idle.Count > 0)
                {
                    stale = _idle[0];
                    _idle.RemoveAt(0);
                }
                else
                {
                    waiter = _waiters.AddLast(new TaskCompletionSource<Grant>(TaskCreationOptions.RunContinuationsAsynchronously));
                }
            }
            else if (_idle.Count > 0)
            {
                var newest = _idle[^1];
                _idle.RemoveAt(_idle.Count - 1);
                if (IsFresh(newest, now))
                {
                    return new SmtpConnectionLease<TConnection>(newest, Reused: true);
                }

                stale = newest;
            }
            else if (_openCount < Capacity)
            {
                _openCount++;
            }
            else
            {
                waiter = _waiters.AddLast(new TaskCompletionSource<Grant>(TaskCreationOptions.RunContinuationsAsynchronously));
            }
        }

        if (waiter is not null)
        {
            var grant = await WaitForGrantAsync(waiter, cancellationToken).ConfigureAwait(false);
            if (grant.Retired)
            {
                return null;
            }

            if (grant.Connection is { } handedOver)
            {
                if (!forceNew && handedOver.IsConnected)
                {
                    return new SmtpConnectionLease<TConnection>(handedOver, Reused: true);
                }

                stale = handedOver;
            }
        }

        // From here on this renter owns a slot.
        if (stale is not null)
        {
            await stale.CloseAsync(stale.IsConnected && !forceNew ? SmtpConnectionCloseReason.Idle : SmtpConnectionCloseReason.Stale).ConfigureAwait(false);
        }

        try
        {
            var connection = await _openConnection(cancellationToken).ConfigureAwait(false);
            return new SmtpConnectionLease<TConnection>(connection, Reused: false);
        }
        catch
        {
            ReleaseSlot();
            throw;
        }
    }

    /// <summary>Gives a rented connection back: kept for reuse when <paramref name="reusable"/>, else closed.</summary>
    public async ValueTask ReturnAsync(TConnection connection, bool reusable)
    {
        ArgumentNullException.ThrowIfNull(connection);
        List<TConnection>? expired = null;
        var close = false;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            _lastActivity = now;
            if (reusable && !_retired && connection.IsConnected)
            {
                connection.LastUsed = now;
                if (_waiters.First is { } first)
                {
                    _waiters.RemoveFirst();
                    first.Value.TrySetResult(Grant.Of(connection));
                }
                else
                {
                    _idle.Add(connection);
                }

                expired = TakeExpired(now);
            }
            else
            {
                close = true;
            }
        }

        if (close)
        {
            await connection.CloseAsync(_retired ? SmtpConnectionCloseReason.Retired : SmtpConnectionCloseReason.Broken).ConfigureAwait(false);
            ReleaseSlot();
        }

        await CloseAllAsync(expired, SmtpConnectionCloseReason.Idle).ConfigureAwait(false);
    }

    /// <summary>Closes the idle connections unused for longer than the idle timeout.</summary>
    public async ValueTask SweepAsync()
    {
        List<TConnection>? expired;
        lock (_gate)
        {
            expired = TakeExpired(_time.GetUtcNow());
        }

        await CloseAllAsync(expired, SmtpConnectionCloseReason.Idle).ConfigureAwait(false);
    }

    /// <summary>Retires the pool when it has no connection and has not been used for the idle timeout.</summary>
    /// <returns>Whether the pool was retired (its owner can forget it).</returns>
    public bool TryRetireIfUnused()
    {
        lock (_gate)
        {
            if (_retired || _openCount > 0 || _waiters.Count > 0 || _time.GetUtcNow() - _lastActivity < _idleTimeout)
            {
                return false;
            }

            _retired = true;
            return true;
        }
    }

    /// <summary>
    /// Retires the pool: idle connections are closed now, rented ones when they come back, and waiting
    /// renters are told to ask for the current pool.
    /// </summary>
    public async ValueTask RetireAsync()
    {
        List<TConnection> idle;
        List<TaskCompletionSource<Grant>> waiters;
        lock (_gate)
        {
            if (_retired)
            {
                return;
            }

            _retired = true;
            idle = [.. _idle];
            _idle.Clear();
            waiters = [.. _waiters];
            _waiters.Clear();
        }

        foreach (var waiter in waiters)
        {
            waiter.TrySetResult(Grant.RetiredPool);
        }

        await CloseAllAsync(idle, SmtpConnectionCloseReason.Retired).ConfigureAwait(false);
    }

    private async Task<Grant> WaitForGrantAsync(LinkedListNode<TaskCompletionSource<Grant>> waiter, CancellationToken cancellationToken)
    {
        try
        {
            return await waiter.Value.Task.WaitAsync(_waitTimeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            bool stillWaiting;
            lock (_gate)
            {
                stillWaiting = waiter.List is not null;
                if (stillWaiting)
                {
                    _waiters.Remove(waiter);
                }
            }

            if (!stillWaiting)
            {
                // A grant was made (under the lock, so the task is complete) just as the wait ended: pass it on.
                var late = waiter.Value.Task.Result;
                if (late.Connection is { } connection)
                {
                    await ReturnAsync(connection, reusable: true).ConfigureAwait(false);
                }
                else if (!late.Retired)
                {
                    ReleaseSlot();
                }
            }

            throw;
        }
    }

    private void ReleaseSlot()
    {
        lock (_gate)
        {
            if (!_retired && _waiters.First is { } first)
            {
                _waiters.RemoveFirst();
                first.Value.TrySetResult(Grant.Slot);
                return;
            }

            _openCount--;
        }
    }

    private List<TConnection>? TakeExpired(DateTimeOffset now)
    {
        List<TConnection>? expired = null;

        // Oldest first: the list is kept in return order and renters take from the end.
        while (_idle.Count > 0 && !IsFresh(_idle[0], now))
        {
            (expired ??= []).Add(_idle[0]);
            _idle.RemoveAt(0);
        }

        return expired;
    }

    private async ValueTask CloseAllAsync(List<TConnection>? connections, SmtpConnectionCloseReason reason)
    {
        if (connections is null)
        {
            return;
        }

        foreach (var connection in connections)
        {
            await connection.CloseAsync(reason).ConfigureAwait(false);
            ReleaseSlot();
        }
    }

    private bool IsFresh(TConnection connection, DateTimeOffset now) =>
        connection.IsConnected && now - connection.LastUsed <= _idleTimeout;

    private readonly record struct Grant(TConnection? Connection, bool Retired)
    {
        public static Grant Slot => default;

        public static Grant RetiredPool => new(null, Retired: true);

        public static Grant Of(TConnection connection) => new(connection, Retired: false);
    }
}
