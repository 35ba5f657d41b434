using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace PetSitter.Email.DependencyInjection;

/// <summary>
/// Builds the library's services with the app's logging when the app registered it, and with null loggers
/// when it did not. The library registers neither <see cref="ILoggerFactory"/> nor <see cref="ILogger{TCategoryName}"/>:
/// they belong to the host, and a library's <c>TryAdd</c> of either runs before an <c>AddLogging</c> called
/// after <c>AddPetSitterEmail</c> and wins, which silenced every logger of the app.
/// </summary>
internal static class OptionalLogging
{
    /// <summary>The app's logger factory, or a null one when the app registered no logging.</summary>
    public static ILoggerFactory Factory(IServiceProvider provider) =>
        provider.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;

    /// <summary>
    /// Creates <typeparamref name="T"/> through its longest public constructor, as the container would pick it: its loggers (<see cref="ILogger{TCategoryName}"/>
    /// and <see cref="ILoggerFactory"/> parameters) from the app's logging or null ones, everything else from
    /// <paramref name="provider"/> as the container would. A constructor parameter added later is resolved too.
    /// </summary>
    public static T Create<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] T>(IServiceProvider provider)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(provider);
        var constructor = typeof(T).GetConstructors().MaxBy(static c => c.GetParameters().Length)
            ?? throw new InvalidOperationException($"{typeof(T).Name} has no public constructor.");
        var loggers = new List<object>();
        foreach (var parameter in constructor.GetParameters())
        {
            var type = parameter.ParameterType;
            if (type == typeof(ILoggerFactory))
            {
                loggers.Add(Factory(provider));
            }
            else if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ILogger<>))
            {
                loggers.Add(provider.GetService(type) ?? CreateLogger(type.GetGenericArguments()[0], Factory(provider)));
            }
        }

        return ActivatorUtilities.CreateInstance<T>(provider, [.. loggers]);
    }

    [UnconditionalSuppressMessage("AotAnalysis", "IL3050", Justification = "Logger<T> of a reference type the library names in its own constructors.")]
    private static object CreateLogger(Type category, ILoggerFactory factory) =>
        Activator.CreateInstance(typeof(Logger<>).MakeGenericType(category), factory)!;
}
