using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PetSitter.Email.DomainCheck;

namespace PetSitter.Email;

/// <summary>Turns on the DNS check of the From domain (SPF, DKIM, DMARC) in PetSitter.Email's diagnosis.</summary>
public static class DomainCheckServiceCollectionExtensions
{
    /// <summary>
    /// Registers the DNS check of the From domain as the <see cref="ISenderDomainCheck"/> that
    /// <see cref="ISmtpDiagnostics"/> uses: a diagnosis then reads the domain's SPF, DKIM and DMARC records and reports
    /// them in <see cref="DiagnosticReport.SenderDomainFindings"/>. Which DNS servers are asked and how long a lookup
    /// may take are per diagnosis (<see cref="DiagnosticOptions.DnsServers"/>, <see cref="DiagnosticOptions.DnsTimeout"/>,
    /// validated when the diagnosis starts). Uses the registered <see cref="TimeProvider"/>, else the system clock.
    /// Calling it again is harmless; call it before or after <c>AddPetSitterEmailDiagnostics</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>The same service collection.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    public static IServiceCollection AddPetSitterEmailDomainCheck(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISenderDomainCheck, DnsSenderDomainCheck>(
            static provider => new DnsSenderDomainCheck(provider.GetService<TimeProvider>() ?? TimeProvider.System)));
        return services;
    }

    /// <summary>Registers the DNS check of the From domain (see <see cref="AddPetSitterEmailDomainCheck(IServiceCollection)"/>).</summary>
    /// <param name="builder">The builder returned by <c>AddPetSitterEmail</c>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IPetSitterEmailBuilder AddDomainCheck(this IPetSitterEmailBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddPetSitterEmailDomainCheck();
        return builder;
    }
}
