using System.Collections.Concurrent;
using System.Globalization;

namespace PetSitter.Email.Sending;

/// <summary>
/// The timeout of one SMTP attempt (connect, sign in, the wait for a send-limit slot, send), on the library's clock:
/// <see cref="Start"/> hands out a token that is cancelled when <see cref="SmtpRetryOptions.AttemptTimeout"/> elapses or
/// when the caller cancels.
/// </summary>
/// <remarks>
/// <para>The channel runs it inside each attempt (the first outside Polly's retry pipeline, retries inside it), where
/// Polly's timeout strategy used to sit: the strategy cost one more async method per attempt (suspended and resumed
/// once per message on the wire) and, measured alone, about 150 ns per send. A timed-out attempt still means "not sent": the transport never
/// cancels the wait for the verdict once the message is on the wire.</para>
/// <para>On the system clock the sources are reset and reused, so an attempt allocates nothing; on another clock
/// (a test's <c>FakeTimeProvider</c>) each attempt gets its own source on that clock.</para>
/// </remarks>
internal sealed class SmtpAttemptTimeout
{
    // Enough for every attempt in flight on a busy host; past it, a finished source is simply dropped.
    private const int MaxPooled = 256;

    private readonly ConcurrentQueue<CancellationTokenSource> _pool = new();
    private readonly TimeProvider _time;
    private int _pooled;

    public SmtpAttemptTimeout(TimeSpan timeout, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(time);
        Timeout = timeout;
        _time = time;
    }

    /// <summary>Gets how long one attempt may take.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Starts an attempt's clock; dispose the returned attempt when the attempt ends, however it ends.</summary>
    /// <param name="cancellationToken">The caller's token: cancelling it cancels the attempt too.</param>
    public Attempt Start(CancellationToken cancellationToken)
    {
        var source = Rent();
        var link = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), source)
            : default;
        return new Attempt(this, source, link, cancellationToken);
    }

    /// <summary>
    /// The exception an attempt that ran out of time fails with: before the verdict on the message (not sent), with no
    /// reply code, which the classifier takes as transient, so it is retried.
    /// </summary>
    public SmtpTransportException TimedOut() =>
        new(SmtpStage.Connect, null, string.Create(CultureInfo.InvariantCulture, $"The send did not finish within the attempt timeout ({Timeout})."));

    private CancellationTokenSource Rent()
    {
        if (_time != TimeProvider.System)
        {
            return new CancellationTokenSource(Timeout, _time);
        }

        if (_pool.TryDequeue(out var pooled))
        {
            Interlocked.Decrement(ref _pooled);
        }
        else
        {
            pooled = new CancellationTokenSource();
        }

        // Banned elsewhere because it ignores the library's clock; here the clock is the system's (checked above).
#pragma warning disable RS0030
        pooled.CancelAfter(Timeout);
#pragma warning restore RS0030
        return pooled;
    }

    private void Return(CancellationTokenSource source)
    {
        // TryReset stops the timer, and fails once the timer has ever fired or the source was cancelled: such a source is dropped.
        if (_time == TimeProvider.System && source.TryReset())
        {
            if (Interlocked.Increment(ref _pooled) <= MaxPooled)
            {
                _pool.Enqueue(source);
                return;
            }

            Interlocked.Decrement(ref _pooled);
        }

        source.Dispose();
    }

    /// <summary>One attempt's clock: its token, and whether it ran out.</summary>
    internal readonly struct Attempt(SmtpAttemptTimeout owner, CancellationTokenSource source, CancellationTokenRegistration link, CancellationToken caller) : IDisposable
    {
        /// <summary>Gets the token the attempt runs on.</summary>
        public CancellationToken Token => source.Token;

        /// <summary>Gets whether the attempt was cancelled by its timeout rather than by the caller.</summary>
        public bool HasTimedOut => source.IsCancellationRequested && !caller.IsCancellationRequested;

        public void Dispose()
        {
            // Unlinked first and waited for: a caller cancelling right now must not cancel a source already handed to another attempt.
            link.Dispose();
            owner.Return(source);
        }
    }
}
