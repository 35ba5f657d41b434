using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PetSitter.Email.AspNetCore.Unsubscribe;

namespace PetSitter.Email;

/// <summary>Registers the RFC 8058 one-click unsubscribe endpoint's services.</summary>
public static class OneClickUnsubscribeBuilderExtensions
{
    /// <summary>
    /// Makes the library put a signed, expiring link to the app's unsubscribe endpoint in the
    /// <c>List-Unsubscribe</c> header of every marketing email with one recipient (unless the email sets its own
    /// <see cref="OutgoingEmail.UnsubscribeUrl"/>), and registers what <c>MapPetSitterEmailUnsubscribe</c> needs.
    /// Adds ASP.NET Core Data Protection if the app has not: an app with several instances must share its key ring
    /// (for example <c>PersistKeysToStackExchangeRedis</c>), or a link made by one instance is refused by another.
    /// Options are validated when the host starts. Calling it again only adds configuration.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddPetSitterEmail</c>.</param>
    /// <param name="configure">Sets <see cref="OneClickUnsubscribeOptions"/>: at least <see cref="OneClickUnsubscribeOptions.EndpointUrl"/>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="configure"/> is <see langword="null"/>.</exception>
    public static IPetSitterEmailBuilder UseOneClickUnsubscribe(this IPetSitterEmailBuilder builder, Action<OneClickUnsubscribeOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        services.AddOptions<OneClickUnsubscribeOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OneClickUnsubscribeOptions>, OneClickUnsubscribeOptionsValidator>());
        services.AddDataProtection();
        services.TryAddSingleton<UnsubscribeTokens>();
        services.TryAddSingleton(static provider => new UnsubscribeEndpoint(
            provider.GetRequiredService<UnsubscribeTokens>(),
            provider.GetRequiredService<ISuppressionList>(),
            provider.GetService<ILogger<UnsubscribeEndpoint>>() ?? NullLogger<UnsubscribeEndpoint>.Instance));
        services.TryAddSingleton<IUnsubscribeLinkFactory, DataProtectionUnsubscribeLinkFactory>();
        return builder;
    }
}
