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
        builder.Services.Replace(ServiceDescriptor.Singleton<INativeMailer, PickupDirectoryNativeMailer>());
        return builder;
    }
}
