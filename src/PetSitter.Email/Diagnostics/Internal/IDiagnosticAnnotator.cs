namespace PetSitter.Email.Diagnostics;

/// <summary>
/// Adds what the library knows without the server (a provider's rules, the limits it applies, the health
/// it recorded) to a diagnosis, after the steps have talked to the server.
/// </summary>
internal interface IDiagnosticAnnotator
{
    void Annotate(DiagnosticContext context);
}
