using Microsoft.Extensions.Diagnostics.HealthChecks;
using PetSitter.Email;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds PetSitter.Email's health check to an app's health checks.</summary>
public static class PetSitterEmailHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a check of the businesses' SMTP accounts (from <see cref="IAccountHealthMonitor"/>): Healthy while none
    /// is failing (throttled accounts are counted but healthy: a send limit resetting is normal), and
    /// <paramref name="failureStatus"/> when some are. Its data holds counts by state (<c>failing</c>,
    /// <c>throttled</c>) and by state and failure kind (<c>failing.AuthenticationFailed</c>), never a business id,
    /// address or secret. Requires <c>AddPetSitterEmail</c>.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The check's name. Default: <c>petsitter-email-accounts</c>.</param>
    /// <param name="failureStatus">The status reported while accounts are failing. Default: <see cref="HealthStatus.Degraded"/>
    /// (their mail still goes out by the fallback policy).</param>
    /// <param name="tags">Tags to filter checks by. Default: none.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IHealthChecksBuilder AddPetSitterEmail(
        this IHealthChecksBuilder builder,
        string name = "petsitter-email-accounts",
        HealthStatus failureStatus = HealthStatus.Degraded,
        IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return builder.Add(new HealthCheckRegistration(
            name,
            static provider => new AccountHealthCheck(provider.GetRequiredService<IAccountHealthMonitor>()),
            failureStatus,
            tags));
    }
}
