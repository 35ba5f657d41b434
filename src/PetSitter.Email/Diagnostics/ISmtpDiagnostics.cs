namespace PetSitter.Email;

/// <summary>
/// Diagnoses an SMTP account against its real server, question by question of "What can go wrong with
/// SMTP?": name resolution, connection, TLS and certificate, capabilities, sign-in and the From address,
/// and optionally a real test message. Nothing is sent unless a test recipient is given.
/// </summary>
public interface ISmtpDiagnostics
{
    /// <summary>Diagnoses <paramref name="account"/>.</summary>
    /// <param name="account">The account's settings, as stored for the business.</param>
    /// <param name="options">How to run; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the diagnosis.</param>
    /// <returns>
    /// The report: a failure of the account is a finding, never an exception. Each step is bounded by
    /// <see cref="DiagnosticOptions.StepTimeout"/>.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="account"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="options"/> are invalid (a non-positive timeout, a test recipient that is not an address).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    Task<DiagnosticReport> RunAsync(SmtpAccountSettings account, DiagnosticOptions? options = null, CancellationToken cancellationToken = default);
}
