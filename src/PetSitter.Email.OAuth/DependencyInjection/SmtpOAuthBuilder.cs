using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PetSitter.Email.OAuth.Connect;
using PetSitter.Email.OAuth.DependencyInjection;
using PetSitter.Email.OAuth.Tokens;

namespace PetSitter.Email.OAuth;

/// <summary>Returned by <see cref="SmtpOAuthBuilderExtensions.AddOAuth"/>: the services, and the HTTP client that talks to token endpoints.</summary>
public sealed class SmtpOAuthBuilder
{
    internal SmtpOAuthBuilder(IServiceCollection services, IHttpClientBuilder tokenClient)
    {
        Services = services;
        TokenClient = tokenClient;
    }

    /// <summary>Gets the app's services.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Gets the HTTP client the library sends token requests with (a proxy, a handler, resilience of the app's own).</summary>
    public IHttpClientBuilder TokenClient { get; }

    /// <summary>Keeps grants in memory (<see cref="InMemorySmtpOAuthGrantStore"/>): for tests and demos only, they are gone at restart.</summary>
    /// <returns>The builder.</returns>
    public SmtpOAuthBuilder UseInMemoryGrantStore()
    {
        Services.Replace(ServiceDescriptor.Singleton<ISmtpOAuthGrantStore, InMemorySmtpOAuthGrantStore>());
        return this;
    }

    /// <inheritdoc />
    public override string ToString() => "PetSitter.Email OAuth";
}

/// <summary>Registers "Connect with Microsoft 365 / Google".</summary>
public static class SmtpOAuthBuilderExtensions
{
    /// <summary>
    /// Registers <see cref="ISmtpOAuthConnector"/> and the access-token service behind the settings it creates.
    /// The app registers its <see cref="ISmtpOAuthGrantStore"/> (or calls <see cref="SmtpOAuthBuilder.UseInMemoryGrantStore"/>);
    /// options are validated at start.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddPetSitterEmail</c>.</param>
    /// <param name="configure">Sets the app's registrations (client ids and secrets) and the state key.</param>
    /// <returns>The OAuth builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="configure"/> is <see langword="null"/>.</exception>
    public static SmtpOAuthBuilder AddOAuth(this IPetSitterEmailBuilder builder, Action<SmtpOAuthOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        services.Configure(configure);
        services.AddOptionsWithValidateOnStart<SmtpOAuthOptions, SmtpOAuthOptionsValidator>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SmtpOAuthOptions>, SmtpOAuthOptionsCustomValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ISmtpOAuthStateStore>(static provider => new InMemorySmtpOAuthStateStore(provider.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(static provider => new SmtpOAuthTokenService(
            provider.GetRequiredService<IOptions<SmtpOAuthOptions>>(),
            provider.GetRequiredService<ISmtpOAuthGrantStore>(),
            provider.GetRequiredService<IHttpClientFactory>(),
            provider.GetRequiredService<TimeProvider>(),
            Logger<SmtpOAuthTokenService>(provider),
            provider.GetService<ISmtpOAuthTokenCoordinator>()));
        services.TryAddSingleton<ISmtpOAuthConnector>(static provider => new SmtpOAuthConnector(
            provider.GetRequiredService<IOptions<SmtpOAuthOptions>>(),
            provider.GetRequiredService<ISmtpOAuthGrantStore>(),
            provider.GetRequiredService<ISmtpOAuthStateStore>(),
            provider.GetRequiredService<SmtpOAuthTokenService>(),
            provider.GetRequiredService<IHttpClientFactory>(),
            provider.GetRequiredService<TimeProvider>(),
            Logger<SmtpOAuthConnector>(provider)));
        var client = services.AddHttpClient(SmtpOAuthTokenService.HttpClientName);
        return new SmtpOAuthBuilder(services, client);
    }

    private static ILogger<T> Logger<T>(IServiceProvider provider) =>
        (provider.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger<T>();
}
