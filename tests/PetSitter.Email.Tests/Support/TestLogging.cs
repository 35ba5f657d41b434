using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PetSitter.Email.Tests.Secrets;

namespace PetSitter.Email.Tests.Support;

/// <summary>
/// The loggers the tests give the library: every level enabled and every entry scanned for secrets (see
/// <see cref="ScanLogsForSecretsAttribute"/>). Use these instead of NullLogger or a bare LoggerFactory.
/// </summary>
internal static class TestLogging
{
    public static ILoggerFactory Factory { get; } = LoggerFactory.Create(Configure);

    public static ILogger<T> For<T>() => Factory.CreateLogger<T>();

    /// <summary>Registers the scanning provider in a service collection, at every level.</summary>
    public static IServiceCollection AddTestLogging(this IServiceCollection services) => services.AddLogging(Configure);

    private static void Configure(ILoggingBuilder logging) =>
        logging.ClearProviders().SetMinimumLevel(LogLevel.Trace).AddProvider(SecretScanningLoggerProvider.Instance);
}
