namespace PetSitter.Email.Extensibility;

/// <summary>
/// The account breaker as the SMTP channel sees it: ask before a send, report after. This process's
/// breaker (<see cref="ILocalAccountBreaker"/>) is the embedded implementation; a distributed one (Redis) shares the
/// state between app instances so a breaker opened by one is honoured by all.
/// </summary>
/// <remarks>
/// Asynchronous because a shared breaker is a network call away. Whatever the implementation,
/// <see cref="IAccountHealthMonitor.HealthChanged"/> is raised in the process that observed the change.
/// </remarks>
public interface IAccountBreaker
{
    /// <summary>Decides whether SMTP may be tried for the account now (see <see cref="ILocalAccountBreaker.Check"/>).</summary>
    ValueTask<AccountGate> CheckAsync(string businessId, string credentialFingerprint, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Reports that SMTP accepted a message (see <see cref="ILocalAccountBreaker.RecordSuccess"/>).</summary>
    ValueTask RecordSuccessAsync(string businessId, string credentialFingerprint, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Reports that SMTP failed (see <see cref="ILocalAccountBreaker.RecordFailure"/>).</summary>
    ValueTask RecordFailureAsync(string businessId, string credentialFingerprint, SmtpFailure failure, DateTimeOffset now, DateTimeOffset? resetsAt, CancellationToken cancellationToken);
}
