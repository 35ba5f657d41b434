using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace PetSitter.Email;

/// <summary>Moves PetSitter.Email's shared state to Redis, for apps that run several instances.</summary>
public static class RedisPetSitterEmailBuilderExtensions
{
    /// <summary>
    /// Replaces the in-process stores with Redis ones: send limits counted fleet-wide (one atomic round trip
    /// per check), account breakers shared (a wrong password costs one sign-in across the fleet), and a
    /// durable deferred queue with leases and dead letters (<see cref="IDeadLetterStore"/>), and each business's
    /// <see cref="ISuppressionList"/> kept in Redis (shared and durable), and with PetSitter.Email.OAuth one access-token
    /// refresh per grant across the fleet (<see cref="PetSitter.Email.OAuth.ISmtpOAuthTokenCoordinator"/>). Options are
    /// validated at start. Call it after <c>AddPetSitterEmail</c>; calling it again only adds configuration.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddPetSitterEmail</c>.</param>
    /// <param name="configure">Sets <see cref="RedisEmailOptions"/>: at least the connection.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="configure"/> is <see langword="null"/>.</exception>
    public static IPetSitterEmailBuilder UseRedis(this IPetSitterEmailBuilder builder, Action<RedisEmailOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        services.Configure(configure);
        if (services.Any(static d => d.ServiceType == typeof(RedisConnection)))
        {
            return builder;
        }

        services.AddOptionsWithValidateOnStart<RedisEmailOptions, RedisEmailOptionsValidator>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisEmailOptions>, RedisEmailOptionsCustomValidator>());
        services.AddSingleton(RedisOptionalLogging.Create<RedisConnection>);
        services.TryAddSingleton<RedisOutageCounter>();
        services.TryAddSingleton(RedisOptionalLogging.Create<RedisSendQuotaStore>);
        services.TryAddSingleton(RedisOptionalLogging.Create<RedisAccountBreaker>);
        services.TryAddSingleton(RedisOptionalLogging.Create<RedisDeferredEmailQueue>);
        services.Replace(ServiceDescriptor.Singleton<ISendQuotaStore>(static provider => provider.GetRequiredService<RedisSendQuotaStore>()));
        services.Replace(ServiceDescriptor.Singleton<IAccountBreaker>(static provider => provider.GetRequiredService<RedisAccountBreaker>()));
        services.Replace(ServiceDescriptor.Singleton<IDeferredEmailQueue>(static provider => provider.GetRequiredService<RedisDeferredEmailQueue>()));
        services.TryAddSingleton<IDeadLetterStore>(static provider => provider.GetRequiredService<RedisDeferredEmailQueue>());
        services.TryAddSingleton(static provider => new RedisSuppressionList(provider.GetRequiredService<RedisConnection>(), provider.GetRequiredService<TimeProvider>()));
        services.Replace(ServiceDescriptor.Singleton<ISuppressionList>(static provider => provider.GetRequiredService<RedisSuppressionList>()));
        services.TryAddSingleton<PetSitter.Email.OAuth.ISmtpOAuthTokenCoordinator>(static provider =>
            new RedisSmtpOAuthTokenCoordinator(provider.GetRequiredService<RedisConnection>(), provider.GetRequiredService<TimeProvider>()));
        return builder;
    }
}
