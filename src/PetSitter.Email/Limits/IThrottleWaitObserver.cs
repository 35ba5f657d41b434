namespace PetSitter.Email;

/// <summary>
/// Told by <see cref="SendThrottle"/> after every wait, before the message is counted: the SMTP channel asks the
/// account's breaker here, so a send that slept while another found the password wrong does not go out on a
/// stale verdict, and is not counted for a send that never happens.
/// </summary>
internal interface IThrottleWaitObserver
{
    /// <summary>Called after a wait (for a slot or for the sends ahead in line); throws to abandon the send.</summary>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>A task that completes when the send may be counted.</returns>
    ValueTask AfterWaitAsync(CancellationToken cancellationToken);
}
