using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace PetSitter.Email;

/// <summary>
/// Builds this package's services with the app's logging when the app registered it, and with a null logger when
/// it did not: like the core, the package registers neither <see cref="ILoggerFactory"/> nor
/// <see cref="ILogger{TCategoryName}"/>, which belong to the host (a library's <c>TryAdd</c> of either, run before
/// the app's <c>AddLogging</c>, silenced every logger of the app). Each of this package's services takes one
/// logger, its own, so this is smaller than the core's reflective helper, which it cannot use (the Redis package
/// builds on the core's public API alone).
/// </summary>
internal static class RedisOptionalLogging
{
    public static T Create<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] T>(IServiceProvider provider)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(provider);
        var logger = provider.GetService<ILogger<T>>()
            ?? (provider.GetService<ILoggerFactory>() is { } factory ? new Logger<T>(factory) : NullLogger<T>.Instance);
        return ActivatorUtilities.CreateInstance<T>(provider, logger);
    }
}
