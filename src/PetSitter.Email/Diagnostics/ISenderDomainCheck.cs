namespace PetSitter.Email.Extensibility;

/// <summary>
/// Checks the DNS records of a From domain (SPF, DKIM, DMARC) for <see cref="ISmtpDiagnostics"/>. The core ships no
/// implementation, so that apps that never diagnose carry no DNS libraries: the <c>PetSitter.Email.DomainCheck</c>
/// package registers one (<c>services.AddPetSitterEmailDomainCheck()</c>). With none registered, a diagnosis reports
/// each record of an owner's own domain as not checked, and says which package to add.
/// </summary>
/// <remarks>
/// The diagnosis calls this only for a domain that needs looking up: not when
/// <see cref="DiagnosticOptions.CheckSenderDomain"/> is off, not for a provider's free-mail domain (the catalogue
/// knows those: their records are the provider's), and not for a name reserved for examples when the system's DNS
/// would be asked. The findings go to <see cref="DiagnosticReport.SenderDomainFindings"/> and under
/// <see cref="DiagnosticCheck.SpamReputation"/>.
/// </remarks>
public interface ISenderDomainCheck
{
    /// <summary>Looks up the records of <see cref="SenderDomainCheckRequest.Domain"/> and says what they mean for the owner.</summary>
    /// <param name="request">The domain, the sender address, what the catalogue knows of the provider, and which DNS servers to ask.</param>
    /// <param name="cancellationToken">Cancels the lookups.</param>
    /// <returns>One finding per record checked (SPF, DKIM, DMARC). A lookup that failed or timed out is
    /// <see cref="DiagnosticStatus.NotChecked"/>, never <see cref="DiagnosticStatus.Fail"/>.</returns>
    ValueTask<IReadOnlyList<SenderDomainFinding>> CheckAsync(SenderDomainCheckRequest request, CancellationToken cancellationToken);
}
