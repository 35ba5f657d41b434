namespace PetSitter.Email;

/// <summary>Whether a business's SMTP account can send, as far as the library has seen.</summary>
public enum AccountHealthState
{
    /// <summary>The account sends normally (or nothing has gone wrong with it yet).</summary>
    Healthy = 1,

    /// <summary>
    /// A sending limit was reached (the provider's quota or our own): the account sends again once the
    /// limit's window resets, at <see cref="AccountHealth.Until"/>.
    /// </summary>
    Throttled = 2,

    /// <summary>
    /// An account-level failure (wrong password, provider requirement, account unavailable, wrong settings):
    /// SMTP is not tried until the settings change or the next probe at <see cref="AccountHealth.Until"/>.
    /// </summary>
    Failing = 3,
}
