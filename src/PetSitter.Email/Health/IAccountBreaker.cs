namespace PetSitter.Email.Extensibility;

/// <summary>
/// The account breaker as the SMTP channel sees it: ask before a send, report after. The in-process
/// <see cref="AccountHealthTracker"/> is the embedded implementation; a distributed one (Redis) shares the
/// state between app instances so a breaker opened by one is honoured by all.
/// </summary>
/// <remarks>
/// Asynchronous because a shared breaker is a network call away. Whatever the implementation,
/// <see cref="IAccountHealthMonitor.HealthChanged"/> is raised in the process that observed the change.
/// </remarks>
public interface IAccountBreaker
{
    /// <summary>Decides whether SMTP may be tried for the account now (see <see cref="AccountHealthTracker.Check"/>).</summary>
    ValueTask<AccountGate> CheckAsync(string businessId, string credentialFingerprint, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Reports that SMTP accepted a message (see <see cref="AccountHealthTracker.RecordSuccess"/>).</summary>
    ValueTask RecordSuccessAsync(string businessId, string credentialFingerprint, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Reports that SMTP failed (see <see cref="AccountHealthTracker.RecordFailure"/>).</summary>
    ValueTask RecordFailureAsync(string businessId, string credentialFingerprint, SmtpFailure failure, DateTimeOffset now, DateTimeOffset? resetsAt, CancellationToken cancellationToken);
}
