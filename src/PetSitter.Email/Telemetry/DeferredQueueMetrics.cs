namespace PetSitter.Email.Extensibility;

/// <summary>
/// The deferred-queue length gauge (<c>petsitter.email.deferred.queued</c>) as a queue written outside this
/// package feeds it. Resolve it from the container in the queue's constructor and hand it a way to read the
/// queue's length.
/// </summary>
/// <remarks>
/// A gauge is read on the metrics exporter's thread: the length it reads must come without I/O (the last length
/// the queue saw, for instance). Check <see cref="IsCollected"/> before spending a round trip on counting.
/// </remarks>
public sealed class DeferredQueueMetrics
{
    // Delegates rather than the telemetry class itself, so the extension points depend on no feature's internals.
    private readonly Func<bool> _isCollected;
    private readonly Action<string, Func<int?>> _observe;

    internal DeferredQueueMetrics(Func<bool> isCollected, Action<string, Func<int?>> observe)
    {
        _isCollected = isCollected;
        _observe = observe;
    }

    /// <summary>Gets a value indicating whether anyone collects the gauge now; when not, a queue need not count.</summary>
    public bool IsCollected => _isCollected();

    /// <summary>Makes <paramref name="length"/> the source of the gauge.</summary>
    /// <param name="queueKind">The queue's tag value, a short constant such as <c>redis</c>.</param>
    /// <param name="length">Reads the length without I/O; returns <see langword="null"/> while it is unknown.</param>
    /// <exception cref="ArgumentException"><paramref name="queueKind"/> is empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="length"/> is <see langword="null"/>.</exception>
    public void ObserveLength(string queueKind, Func<int?> length)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(queueKind);
        ArgumentNullException.ThrowIfNull(length);
        _observe(queueKind, length);
    }
}
