using System.Globalization;
using Microsoft.Extensions.Logging;

namespace PetSitter.Email.Tests.Secrets;

/// <summary>
/// The logger provider every logger factory in the tests uses: it writes nowhere, it scans. Each entry's
/// formatted message, each of its state values, its exception (ToString, inner exceptions included) and
/// the state of every scope opened are handed to <see cref="CapturedLogs"/>.
/// </summary>
internal sealed class SecretScanningLoggerProvider : ILoggerProvider
{
    public static SecretScanningLoggerProvider Instance { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Scanner(categoryName);

    // Shared by every factory: a disposed factory must not switch the scan off for the others.
    public void Dispose()
    {
    }

    internal static void Scan<TState>(string category, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        CapturedLogs.Record(category, "the message", formatter(state, exception));
        ScanState(category, "a state value", state);
        if (exception is not null)
        {
            CapturedLogs.Record(category, "the exception", exception.ToString());
        }
    }

    private static void ScanState(string category, string part, object? state)
    {
        if (state is IEnumerable<KeyValuePair<string, object?>> values)
        {
            foreach (var (_, value) in values)
            {
                CapturedLogs.Record(category, part, Convert.ToString(value, CultureInfo.InvariantCulture));
            }
        }
        else
        {
            CapturedLogs.Record(category, part, Convert.ToString(state, CultureInfo.InvariantCulture));
        }
    }

    private sealed class Scanner(string category) : ILogger
    {
        public IDisposable BeginScope<TState>(TState state)
            where TState : notnull
        {
            ScanState(category, "a scope", state);
            return NoScope.Instance;
        }

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Scan(category, state, exception, formatter);
    }

    private sealed class NoScope : IDisposable
    {
        public static readonly NoScope Instance = new();

        public void Dispose()
        {
        }
    }
}
