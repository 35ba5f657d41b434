namespace PetSitter.Email.Sending;

/// <summary>
/// Bounds how many sends of one SMTP account (mailbox and settings) are at the transport at once: as
/// many as the account may have connections, and only one until the account has signed in with its current
/// credentials. A send waits here for its turn, then asks the account's breaker again.
/// </summary>
/// <remarks>
/// <para>Without it, every send of a burst asks the breaker before any has failed, all are admitted, and
/// those beyond the connection cap wait inside the connection pool, where nothing asks the breaker again:
/// each opens its own connection when a slot frees, so fifty invoices sent at once against a wrong password
/// cost fifty failed sign-ins (and a locked mailbox) instead of one. Waiting here, where the breaker is asked
/// again after the wait, lets a failure of the sends ahead stop the ones behind.</para>
/// <para>One send at a time until a sign-in succeeds makes a cold burst cost one failed sign-in per
/// credentials version; afterwards the width is the connection cap, so no send waits in the pool.</para>
/// <para>A lane lives while a send holds or waits for it: the first send after a quiet spell goes alone.</para>
/// </remarks>
internal sealed class SmtpAccountLanes
{
    private readonly Dictionary<string, Lane> _lanes = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _waitTimeout;
    private long _departures;

    public SmtpAccountLanes(TimeProvider time, TimeSpan waitTimeout)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _waitTimeout = waitTimeout;
    }

    /// <summary>
    /// Gets how many sends, of any account, have finished their turn. A send reads it before it asks the breaker
    /// and again once in its lane: when it moved, a send may have recorded a result in between, even though this
    /// one did not wait (the lane it entered is new because the failing send had just left and dropped the old one).
    /// One counter for all accounts keeps this allocation-free; under load it moves often and costs a re-check.
    /// </summary>
    internal long Departures => Volatile.Read(ref _departures);

    /// <summary>Gets how many accounts have a send in or waiting for their lane.</summary>
    internal int ActiveLanes
    {
        get
        {
            lock (_gate)
            {
                return _lanes.Count;
            }
        }
    }

    /// <summary>Waits for a turn in the account's lane.</summary>
    /// <param name="key">The account: a fingerprint of its mailbox and settings.</param>
    /// <param name="width">How many sends may be in the lane once a sign-in succeeded: the account's connection cap.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The turn; dispose it when the send is over.</returns>
    /// <exception cref="TimeoutException">No turn came within the wait timeout.</exception>
    public async ValueTask<Turn> EnterAsync(string key, int width, CancellationToken cancellationToken)
    {
        Lane? lane;
        lock (_gate)
        {
            if (!_lanes.TryGetValue(key, out lane))
            {
                lane = new Lane(Math.Max(1, width));
                _lanes.Add(key, lane);
            }

            lane.Users++;
        }

        var waited = false;
        try
        {
            if (!lane.Slots.Wait(0, CancellationToken.None))
            {
                waited = true;
                using var timeout = new CancellationTokenSource(_waitTimeout, _time);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
                try
                {
                    await lane.Slots.WaitAsync(linked.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    throw new TimeoutException($"No turn came within {_waitTimeout}.");
                }
            }
        }
        catch
        {
            Leave(key, lane, holdsSlot: false);
            throw;
        }

        return new Turn(this, key, lane, waited);
    }

    private void SignedIn(Lane lane)
    {
        int extra;
        lock (_gate)
        {
            if (lane.SignedIn)
            {
                return;
            }

            lane.SignedIn = true;
            extra = lane.Width - 1;
        }

        if (extra > 0)
        {
            lane.Slots.Release(extra);
        }
    }

    private void Leave(string key, Lane lane, bool holdsSlot)
    {
        if (holdsSlot)
        {
            // Counted before the slot frees: the send's result is recorded by now (see Departures).
            Interlocked.Increment(ref _departures);
            lane.Slots.Release();
        }

        lock (_gate)
        {
            if (--lane.Users > 0)
            {
                return;
            }

            _lanes.Remove(key);
        }

        lane.Dispose();
    }

    /// <summary>A send's turn in its account's lane.</summary>
    internal readonly struct Turn : IDisposable
    {
        private readonly SmtpAccountLanes _owner;
        private readonly string _key;
        private readonly Lane _lane;

        internal Turn(SmtpAccountLanes owner, string key, Lane lane, bool waited)
        {
            _owner = owner;
            _key = key;
            _lane = lane;
            Waited = waited;
        }

        /// <summary>Gets whether the send had to wait for the sends ahead of it: only then can their results be news.</summary>
        public bool Waited { get; }

        /// <summary>Reports that the account got past sign-in: the lane widens to the connection cap.</summary>
        public void SignedIn() => _owner?.SignedIn(_lane);

        public void Dispose() => _owner?.Leave(_key, _lane, holdsSlot: true);
    }

    internal sealed class Lane(int width) : IDisposable
    {
        public SemaphoreSlim Slots { get; } = new(1, width);

        public int Width { get; } = width;

        /// <summary>Guarded by the owner's lock.</summary>
        public int Users { get; set; }

        /// <summary>Guarded by the owner's lock.</summary>
        public bool SignedIn { get; set; }

        public void Dispose() => Slots.Dispose();
    }
}
