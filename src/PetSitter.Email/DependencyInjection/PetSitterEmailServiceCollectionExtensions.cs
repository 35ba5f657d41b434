using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PetSitter.Email;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers PetSitter.Email in a service collection.</summary>
public static class PetSitterEmailServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IEmailSender"/> and what it needs: options validated at start, the MailKit
    /// SMTP transport, the pickup-directory native mailer (the embedded default) and a
    /// <see cref="TimeProvider"/> if none is registered. Calling it again is harmless.
    /// </summary>
    /// <remarks>The app must also register an <see cref="IBusinessEmailSettingsProvider"/>.</remarks>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets <see cref="PetSitterEmailOptions"/> (its groups <c>Native</c>, <c>Smtp</c>, <c>Retry</c>); may be <see langword="null"/>.</param>
    /// <returns>A builder for the optional parts.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    public static IPetSitterEmailBuilder AddPetSitterEmail(this IServiceCollection services, Action<PetSitterEmailOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        var options = services.AddOptionsWithValidateOnStart<PetSitterEmailOptions, PetSitterEmailOptionsValidator>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PetSitterEmailOptions>, PetSitterEmailOptionsCustomValidator>());

        // The transport and the native mailers read only their own group: views of the one validated options object.
        services.TryAddSingleton<IOptions<SmtpTransportOptions>>(static provider => Options.Options.Create(provider.GetRequiredService<IOptions<PetSitterEmailOptions>>().Value.Smtp));
        services.TryAddSingleton<IOptions<NativeIdentityOptions>>(static provider => Options.Options.Create(provider.GetRequiredService<IOptions<PetSitterEmailOptions>>().Value.Native));
        services.AddOptionsWithValidateOnStart<PickupDirectoryOptions, PickupDirectoryOptionsValidator>();

        // No ILoggerFactory or ILogger<> is registered here: the host's logging is the app's (see OptionalLogging).
        services.TryAddSingleton(TimeProvider.System);

        // The host's meter factory when it has one (the generic host registers it), so the meter is scoped to the container.
        services.TryAddSingleton(static provider => new EmailTelemetry(provider.GetService<IMeterFactory>(), provider.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(static provider =>
        {
            var telemetry = provider.GetRequiredService<EmailTelemetry>();
            return new DeferredQueueMetrics(() => telemetry.DeferredQueued.Enabled, telemetry.ObserveDeferredQueue);
        });
        services.TryAddSingleton<ISmtpTransport>(OptionalLogging.Create<MailKitSmtpTransport>);
        services.TryAddSingleton<INativeMailer>(OptionalLogging.Create<PickupDirectoryNativeMailer>);
        services.AddPetSitterEmailPolicy();
        services.AddPetSitterEmailSendLimits();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SendLimitOptions>, SlotWaitValidator>());
        services.TryAddSingleton(OptionalLogging.Create<SmtpRetryPipeline>);
        services.TryAddSingleton(OptionalLogging.Create<SmtpChannel>);
        services.TryAddSingleton<ISuppressionList>(static provider => new InMemorySuppressionList(provider.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(OptionalLogging.Create<SuppressionGate>);
        services.TryAddSingleton(OptionalLogging.Create<EmailSender>);
        services.TryAddSingleton<IEmailSender>(static provider => provider.GetRequiredService<EmailSender>());
        services.TryAddSingleton<IDeferredEmailResender>(static provider => provider.GetRequiredService<EmailSender>());
        services.AddPetSitterEmailDiagnostics();
        return new PetSitterEmailBuilder(services);
    }

    /// <summary>
    /// Registers <see cref="ISmtpDiagnostics"/> alone, for a tool that checks accounts without sending
    /// (<c>AddPetSitterEmail</c> registers it too). Adds a <see cref="TimeProvider"/> if none is registered;
    /// uses the app's logging when it registered any. Calling it again is harmless.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>The same service collection.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    public static IServiceCollection AddPetSitterEmailDiagnostics(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ISmtpDiagnostics>(OptionalLogging.Create<SmtpDiagnostics>);
        return services;
    }
}
