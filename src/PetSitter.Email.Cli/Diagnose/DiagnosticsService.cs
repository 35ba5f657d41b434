using Microsoft.Extensions.DependencyInjection;

namespace PetSitter.Email.Cli.Diagnose;

/// <summary>The diagnostics service as an app gets it: from the library's registration with the DNS check of the From domain, public API only.</summary>
internal static class DiagnosticsService
{
    public static ISmtpDiagnostics Create() =>
        new ServiceCollection().AddPetSitterEmailDiagnostics().AddPetSitterEmailDomainCheck().BuildServiceProvider().GetRequiredService<ISmtpDiagnostics>();
}
