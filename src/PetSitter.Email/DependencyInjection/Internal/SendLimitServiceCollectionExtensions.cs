using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace PetSitter.Email.DependencyInjection;

internal static class SendLimitServiceCollectionExtensions
{
    /// <summary>Registers the send-limit store (in memory unless one is registered) and the short-wait throttle.</summary>
    internal static IServiceCollection AddPetSitterEmailSendLimits(this IServiceCollection services)
    {
        if (services.Any(static d => d.ServiceType == typeof(SendThrottle)))
        {
            return services;
        }

        services.AddOptionsWithValidateOnStart<SendLimitOptions, SendLimitOptionsValidator>();
        services.TryAddSingleton<ISendQuotaStore, InMemorySendQuotaStore>();
        services.TryAddSingleton(static provider => new SendThrottle(
            provider.GetRequiredService<ISendQuotaStore>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<IOptions<SendLimitOptions>>().Value));
        services.TryAddSingleton(static provider => new MarketingReserve(
            provider.GetRequiredService<ISendQuotaStore>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<IOptions<SendLimitOptions>>().Value));
        return services;
    }
}
