namespace PetSitter.Email.Extensibility;

/// <summary>
/// This process's own account breaker, as a shared breaker (such as the Redis one) uses it: the shared
/// store decides, and this copy answers in between, raises <see cref="IAccountHealthMonitor.HealthChanged"/>
/// in this process, and keeps the fallback decisions going while the shared store cannot be reached.
/// <c>AddPetSitterEmail()</c> registers the library's implementation; a shared breaker takes it from the
/// container.
/// </summary>
/// <remarks>
/// Each member is synchronous and O(1), and takes only its account's lock. The keys are the business id and
/// <see cref="SmtpAccountSettings.SettingsFingerprint"/>; a fingerprint different from the one last seen means
/// the owner changed the settings, which makes the account healthy again at once.
/// </remarks>
public interface ILocalAccountBreaker : IAccountBreaker
{
    /// <summary>Decides whether SMTP may be tried for the account now.</summary>
    /// <param name="businessId">The business.</param>
    /// <param name="credentialFingerprint">The fingerprint of the account's settings.</param>
    /// <param name="now">The current time.</param>
    /// <returns>Whether to send, probe, or hold the send with the failure that blocks it.</returns>
    AccountGate Check(string businessId, string credentialFingerprint, DateTimeOffset now);

    /// <summary>Reports that SMTP accepted a message: the account is healthy.</summary>
    /// <param name="businessId">The business.</param>
    /// <param name="credentialFingerprint">The fingerprint of the account's settings.</param>
    /// <param name="now">The current time.</param>
    void RecordSuccess(string businessId, string credentialFingerprint, DateTimeOffset now);

    /// <summary>Reports that SMTP failed; an account-level failure opens the breaker.</summary>
    /// <param name="businessId">The business.</param>
    /// <param name="credentialFingerprint">The fingerprint of the settings the send used.</param>
    /// <param name="failure">The classified failure.</param>
    /// <param name="now">The current time.</param>
    /// <param name="resetsAt">For <see cref="SmtpFailureKind.SendLimitReached"/>, when the limit's window resets, if known.</param>
    /// <param name="countSignals">Whether to count the failure towards the spam and greeting signals; a caller that already did passes <see langword="false"/>.</param>
    void RecordFailure(string businessId, string credentialFingerprint, SmtpFailure failure, DateTimeOffset now, DateTimeOffset? resetsAt = null, bool countSignals = true);

    /// <summary>
    /// Counts a failure that is not account-level towards the account's spam and greeting signals and returns
    /// what it amounts to: the failure itself, or the account-level failure the signals add up to.
    /// </summary>
    /// <param name="businessId">The business.</param>
    /// <param name="credentialFingerprint">The fingerprint of the settings the send used.</param>
    /// <param name="failure">The classified failure.</param>
    /// <param name="now">The current time.</param>
    /// <returns>The failure to record.</returns>
    SmtpFailure CountSignals(string businessId, string credentialFingerprint, SmtpFailure failure, DateTimeOffset now);

    /// <summary>Adds this process's marketing pause to a shared breaker's verdict, as <see cref="Check"/> would.</summary>
    /// <param name="businessId">The business.</param>
    /// <param name="credentialFingerprint">The fingerprint of the account's settings.</param>
    /// <param name="gate">The shared breaker's verdict.</param>
    /// <param name="now">The current time.</param>
    /// <returns>The verdict with the marketing pause added.</returns>
    AccountGate WithMarketingPause(string businessId, string credentialFingerprint, AccountGate gate, DateTimeOffset now);

    /// <summary>Clears the greeting count of an account whose send went through.</summary>
    /// <param name="businessId">The business.</param>
    /// <param name="credentialFingerprint">The fingerprint of the settings the send used.</param>
    void Connected(string businessId, string credentialFingerprint);

    /// <summary>
    /// Makes this process's view of the account match the state the shared breaker holds, raising
    /// <see cref="IAccountHealthMonitor.HealthChanged"/> here when the state or kind changed.
    /// </summary>
    /// <param name="businessId">The business.</param>
    /// <param name="credentialFingerprint">The fingerprint of the account's settings.</param>
    /// <param name="sharedState">The state the shared store holds.</param>
    /// <param name="now">The current time.</param>
    void Mirror(string businessId, string credentialFingerprint, AccountBreakerState sharedState, DateTimeOffset now);

    /// <summary>Gets whether this process last saw the account closed (healthy) with these settings.</summary>
    /// <param name="businessId">The business.</param>
    /// <param name="credentialFingerprint">The fingerprint of the account's settings.</param>
    /// <returns><see langword="true"/> when the account was last seen healthy with these settings.</returns>
    bool IsClosed(string businessId, string credentialFingerprint);
}
