using System.Globalization;

namespace PetSitter.Email.Diagnostics;

/// <summary>
/// One step of a diagnosis: its own timeout (on the injected clock) linked to the caller's cancellation,
/// and how long it took. A step that runs out of time is reported as a timeout, not as a cancellation.
/// </summary>
internal sealed class DiagnosticStep : IDisposable
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _timeout;
    private readonly CancellationTokenSource _deadline;
    private readonly CancellationTokenSource _linked;
    private readonly long _started;

    public DiagnosticStep(TimeProvider time, TimeSpan timeout, CancellationToken cancellationToken)
    {
        _time = time;
        _timeout = timeout;
        _deadline = new CancellationTokenSource(timeout, time);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _deadline.Token);
        _started = time.GetTimestamp();
    }

    public CancellationToken Token => _linked.Token;

    /// <summary>Gets how long the step has taken so far, for example "12 ms".</summary>
    public string Elapsed => string.Create(CultureInfo.InvariantCulture, $"{_time.GetElapsedTime(_started).TotalMilliseconds:0} ms");

    /// <summary>Turns the cancellation caused by this step's own deadline into a <see cref="TimeoutException"/>.</summary>
    public Exception Explain(Exception exception) =>
        exception is OperationCanceledException && _deadline.IsCancellationRequested
            ? new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"No answer within {_timeout.TotalSeconds:0.###} s."), exception)
            : exception;

    public void Dispose()
    {
        _linked.Dispose();
        _deadline.Dispose();
    }
}
