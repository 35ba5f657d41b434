namespace PetSitter.Email.Limits;

/// <summary>
/// Told by <see cref="SendThrottle"/> after every wait, before the message is counted: the SMTP channel asks the
/// account's breaker here, so a send that slept while another found the password wrong does not go out on a
/// stale verdict, and is not counted for a send that never happens. Told too how long the send waited, so the
/// caller records it: the limits know nothing of telemetry.
/// </summary>
internal interface IThrottleWaitObserver
{
    /// <summary>Called after a wait (for a slot or for the sends ahead in line); throws to abandon the send.</summary>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>A task that completes when the send may be counted.</returns>
    ValueTask AfterWaitAsync(CancellationToken cancellationToken);

    /// <summary>Called once when a send that waited leaves the throttle, counted or refused.</summary>
    /// <param name="window">The limit it waited for.</param>
    /// <param name="waited">How long it waited, on the library's clock, from when the bound started.</param>
    /// <param name="acquired">Whether the message was counted (it may go out) or refused after the wait.</param>
    void Waited(LimitWindow window, TimeSpan waited, bool acquired);
}
