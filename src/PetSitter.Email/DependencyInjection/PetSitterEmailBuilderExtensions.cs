using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace PetSitter.Email;

/// <summary>Configures the optional parts of PetSitter.Email on an <see cref="IPetSitterEmailBuilder"/>.</summary>
public static class PetSitterEmailBuilderExtensions
{
    /// <summary>Uses the pickup-directory native mailer, writing one <c>.eml</c> file per native message to <paramref name="directory"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="directory">The directory; created when missing.</param>
    /// <returns>The builder.</returns>
    public static IPetSitterEmailBuilder UsePickupDirectory(this IPetSitterEmailBuilder builder, string directory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        return builder.UsePickupDirectory(options => options.Directory = directory);
    }

    /// <summary>Uses the pickup-directory native mailer with options set by <paramref name="configure"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The builder.</returns>
    public static IPetSitterEmailBuilder UsePickupDirectory(this IPetSitterEmailBuilder builder, Action<PickupDirectoryOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        builder.Services.Replace(ServiceDescriptor.Singleton<INativeMailer>(OptionalLogging.Create<PickupDirectoryNativeMailer>));
        return builder;
    }

    /// <summary>
    /// Uses the platform's SMTP relay as the native mailer: native mail (documents when "Only Use for
    /// Direct Emails" is on, and every fallback) is sent through it from
    /// <see cref="NativeIdentityOptions.PlatformFromAddress"/>, over pooled connections with the same
    /// TLS and certificate rules as a business's own server. The options are validated at start.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the relay's options (host, port, security, credentials).</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="configure"/> is <see langword="null"/>.</exception>
    public static IPetSitterEmailBuilder UseNativeSmtpRelay(this IPetSitterEmailBuilder builder, Action<NativeSmtpRelayOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddOptionsWithValidateOnStart<NativeSmtpRelayOptions, NativeSmtpRelayOptionsValidator>().Configure(configure);
        builder.Services.Replace(ServiceDescriptor.Singleton<INativeMailer>(OptionalLogging.Create<SmtpRelayNativeMailer>));
        return builder;
    }

    /// <summary>Sets what happens to each category when SMTP cannot take a message (send native or defer), and how deferred mail is retried.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The builder.</returns>
    public static IPetSitterEmailBuilder ConfigureFallback(this IPetSitterEmailBuilder builder, Action<FallbackPolicyOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        return builder;
    }

    /// <summary>Sets how an account's breaker behaves after account-level failures (probe intervals, default throttle).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The builder.</returns>
    public static IPetSitterEmailBuilder ConfigureAccountHealth(this IPetSitterEmailBuilder builder, Action<AccountHealthOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        return builder;
    }

    /// <summary>Sets how send limits are applied (how long a send may wait for a short window).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The builder.</returns>
    public static IPetSitterEmailBuilder ConfigureSendLimits(this IPetSitterEmailBuilder builder, Action<SendLimitOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        return builder;
    }
}
