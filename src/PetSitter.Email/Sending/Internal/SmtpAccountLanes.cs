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
/// <para>The turns are counted under the one lock that also finds the lane, and a send waits on its own promise only
/// when the lane is full: a send that finds room takes no second lock and allocates nothing (a lane that empties is
/// kept, reset, for the next account), which matters because most sends find room.</para>
/// </remarks>
internal sealed class SmtpAccountLanes
{
    // Enough for the accounts a process sends to at the same moment without holding a lane for every account ever seen.
    private const int SpareLanes = 64;

    private readonly Dictionary<string, Lane> _lanes = new(StringComparer.Ordinal);
    private readonly Stack<Lane> _spare = new();
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
    /// <exception cref="TurnTimeoutException">No turn came within the wait timeout.</exception>
    public ValueTask<Turn> EnterAsync(string key, int width, CancellationToken cancellationToken)
    {
        Lane? lane;
        LinkedListNode<TaskCompletionSource>? place;
        lock (_gate)
        {
            if (!_lanes.TryGetValue(key, out lane))
            {
                lane = _spare.Count > 0 ? _spare.Pop() : new Lane();
                lane.Open(Math.Max(1, width));
                _lanes.Add(key, lane);
            }

            lane.Users++;
            if (lane.Queue.Count == 0 && lane.Active < lane.Allowed)
            {
                lane.Active++;
                return new ValueTask<Turn>(new Turn(this, key, lane, waited: false));
            }

            // First come, first served: a send that finds others waiting queues behind them even when a slot is free.
            place = lane.Queue.AddLast(new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        }

        return WaitForTurnAsync(key, lane, place, cancellationToken);
    }

    private async ValueTask<Turn> WaitForTurnAsync(string key, Lane lane, LinkedListNode<TaskCompletionSource> place, CancellationToken cancellationToken)
    {
        try
        {
            await place.Value.Task.WaitAsync(_waitTimeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            bool granted;
            bool narrow;
            lock (_gate)
            {
                // Taken off the queue means a leaving send gave this one its slot just as it gave up: hand the slot back.
                granted = place.List is null;
                if (!granted)
                {
                    lane.Queue.Remove(place);
                }

                narrow = !lane.SignedIn;
            }

            Leave(key, lane, holdsSlot: granted);

            // A caller that cancelled as the wait timeout ended is told it cancelled: a timeout reads as a busy server.
            cancellationToken.ThrowIfCancellationRequested();
            if (ex is TimeoutException)
            {
                throw new TurnTimeoutException($"No turn came within {_waitTimeout}.", narrow);
            }

            throw;
        }

        return new Turn(this, key, lane, waited: true);
    }

    private void SignedIn(Lane lane)
    {
        lock (_gate)
        {
            if (lane.SignedIn)
            {
                return;
            }

            lane.SignedIn = true;
            lane.Allowed = lane.Width;
            lane.LetIn();
        }
    }

    private void Leave(string key, Lane lane, bool holdsSlot)
    {
        lock (_gate)
        {
            if (holdsSlot)
            {
                // Counted before the slot frees: the send's result is recorded by now (see Departures).
                Interlocked.Increment(ref _departures);
                lane.Active--;
                lane.LetIn();
            }

            if (--lane.Users > 0)
            {
                return;
            }

            _lanes.Remove(key);
            if (_spare.Count < SpareLanes)
            {
                _spare.Push(lane);
            }
        }
    }

    /// <summary>No turn came within the wait timeout.</summary>
    /// <param name="message">The message.</param>
    /// <param name="beforeSignIn">Whether the lane was still one send wide: no send of these settings had signed in yet.</param>
    internal sealed class TurnTimeoutException(string message, bool beforeSignIn) : TimeoutException(message)
    {
        /// <summary>Gets whether the send waited behind the first sign-in with these settings rather than for a free connection.</summary>
        public bool BeforeSignIn { get; } = beforeSignIn;
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

    /// <summary>One account's turns. Every member is guarded by the owner's lock.</summary>
    internal sealed class Lane
    {
        /// <summary>Gets the sends waiting for a turn, oldest first.</summary>
        public LinkedList<TaskCompletionSource> Queue { get; } = new();

        /// <summary>Gets the connection cap the lane widens to after a sign-in.</summary>
        public int Width { get; private set; }

        /// <summary>Gets or sets how many sends may be in the lane now: one until a sign-in succeeds, then <see cref="Width"/>.</summary>
        public int Allowed { get; set; }

        public int Active { get; set; }

        public int Users { get; set; }

        public bool SignedIn { get; set; }

        /// <summary>Makes a new or reused lane narrow and empty for its account.</summary>
        public void Open(int width)
        {
            Width = width;
            Allowed = 1;
            Active = 0;
            Users = 0;
            SignedIn = false;
        }

        /// <summary>Gives free slots to the sends waiting longest. Their continuations run elsewhere, not under the lock.</summary>
        public void LetIn()
        {
            while (Active < Allowed && Queue.First is { } next)
            {
                Queue.RemoveFirst();
                Active++;
                next.Value.TrySetResult();
            }
        }
    }
}
