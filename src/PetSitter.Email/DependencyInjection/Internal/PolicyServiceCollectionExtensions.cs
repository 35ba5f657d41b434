using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace PetSitter.Email.DependencyInjection;

/// <summary>Registers the failure policy's parts: account health, fallback policy, deferred queue and its dispatcher.</summary>
internal static class PolicyServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="AccountHealthTracker"/> (also as <see cref="IAccountHealthMonitor"/>),
    /// <see cref="FallbackPolicy"/>, the in-memory <see cref="IDeferredEmailQueue"/> unless one is
    /// registered, the <see cref="DeferredEmailDispatcher"/> hosted service, and both options validated at
    /// start. Calling it again is harmless. The caller registers <see cref="IDeferredEmailResender"/>,
    /// logging and a <see cref="TimeProvider"/>.
    /// </summary>
    internal static IServiceCollection AddPetSitterEmailPolicy(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);

        // ValidateOnStart adds a registration on every call: register once.
        if (services.Any(static d => d.ServiceType == typeof(AccountHealthTracker)))
        {
            return services;
        }

        services.AddOptionsWithValidateOnStart<FallbackPolicyOptions, FallbackPolicyOptionsValidator>();
        services.AddOptionsWithValidateOnStart<AccountHealthOptions, AccountHealthOptionsValidator>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AccountHealthOptions>, AccountHealthOptionsCustomValidator>());

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(OptionalLogging.Create<AccountHealthTracker>);
        services.TryAddSingleton<IAccountHealthMonitor>(static provider => provider.GetRequiredService<AccountHealthTracker>());
        services.TryAddSingleton<ILocalAccountBreaker>(static provider => provider.GetRequiredService<AccountHealthTracker>());
        services.TryAddSingleton<IAccountBreaker>(static provider => provider.GetRequiredService<AccountHealthTracker>());
        services.TryAddSingleton<FallbackPolicy>();
        services.TryAddSingleton<IDeferredEmailQueue>(static provider => new InMemoryDeferredEmailQueue(
            provider.GetRequiredService<IOptions<FallbackPolicyOptions>>(), provider.GetService<EmailTelemetry>()));
        services.TryAddSingleton(OptionalLogging.Create<DeferredEmailDispatcher>);
        services.TryAddSingleton<IDeferredEmailDispatcher>(static provider => provider.GetRequiredService<DeferredEmailDispatcher>());

        // The same instance as the one the app calls: one dispatcher, whoever triggers it.
        services.AddHostedService(static provider => provider.GetRequiredService<DeferredEmailDispatcher>());
        return services;
    }
}
