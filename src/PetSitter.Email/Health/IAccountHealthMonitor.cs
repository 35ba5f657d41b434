namespace PetSitter.Email;

/// <summary>
/// Reports the health of the businesses' SMTP accounts and raises an event when one changes, so the app
/// can show the owner what is wrong and what to do.
/// </summary>
/// <remarks>
/// An account-level failure (wrong password, provider requirement, quota reached...) opens a breaker for
/// that account alone: SMTP is not tried again until the stored credentials or settings change, the
/// quota window resets or a rare probe succeeds. Mail meanwhile follows the fallback policy at once.
/// </remarks>
public interface IAccountHealthMonitor
{
    /// <summary>
    /// Raised after an account's state or failure kind changed. Handlers run on the sending thread and
    /// should be quick; an exception from a handler is logged and ignored. Under concurrent sends two
    /// changes of one account may be delivered out of order: <see cref="GetHealth"/> is authoritative.
    /// </summary>
    event EventHandler<AccountHealthChangedEventArgs>? HealthChanged;

    /// <summary>Returns the current health of a business's SMTP account (healthy when nothing went wrong).</summary>
    /// <param name="businessId">The business.</param>
    /// <returns>The snapshot.</returns>
    AccountHealth GetHealth(string businessId);

    /// <summary>Returns every account that is currently throttled or failing.</summary>
    /// <returns>The snapshots, in no particular order.</returns>
    IReadOnlyCollection<AccountHealth> GetUnhealthy();
}
