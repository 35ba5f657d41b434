using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PetSitter.Email.AspNetCore.OAuth;
using PetSitter.Email.OAuth;

namespace PetSitter.Email;

/// <summary>Registers the services of the "Connect Microsoft 365 / Google" endpoints.</summary>
public static class SmtpOAuthEndpointBuilderExtensions
{
    /// <summary>
    /// Registers what <c>MapPetSitterEmailOAuth</c> needs: the endpoints' options (validated when the host starts),
    /// ASP.NET Core Data Protection (the return address travels in a protected cookie) and antiforgery.
    /// Several instances of the app must share the Data Protection key ring.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddOAuth</c>.</param>
    /// <param name="configure">Sets at least <see cref="SmtpOAuthEndpointOptions.AuthorizeBusiness"/>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="configure"/> is <see langword="null"/>.</exception>
    public static SmtpOAuthBuilder UseOAuthEndpoints(this SmtpOAuthBuilder builder, Action<SmtpOAuthEndpointOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        services.AddOptions<SmtpOAuthEndpointOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SmtpOAuthEndpointOptions>, SmtpOAuthEndpointOptionsValidator>());
        services.AddDataProtection();
        services.AddAntiforgery();
        services.TryAddSingleton<OAuthEndpoints>();
        return builder;
    }
}
