using Microsoft.Extensions.Logging;

namespace PetSitter.Email.Telemetry;

/// <summary>
/// The logger factory Polly's telemetry gets. Polly logs a failed attempt with its exception, inner exceptions
/// included, and the transport's inner exceptions are MailKit's, whose messages hold the server's raw reply: a
/// server that echoes the client's AUTH line would put the encoded password in the log. Its loggers swap such an
/// exception for a copy without the inner chain, keeping the stage and the reply with sign-in data removed.
/// </summary>
internal sealed class RedactingLoggerFactory : ILoggerFactory
{
    private readonly ILoggerFactory _inner;

    public RedactingLoggerFactory(ILoggerFactory inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
    }

    public ILogger CreateLogger(string categoryName) => new RedactingLogger(_inner.CreateLogger(categoryName));

    public void AddProvider(ILoggerProvider provider) => _inner.AddProvider(provider);

    public void Dispose()
    {
        // The wrapped factory belongs to the container.
    }

    internal static Exception? Redact(Exception? exception) =>
        exception is SmtpTransportException { InnerException: not null } smtp
            ? new SmtpTransportException(smtp.Stage, smtp.StatusCode, smtp.Reply)
            : exception;

    private sealed class RedactingLogger(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (inner.IsEnabled(logLevel))
            {
                var redacted = Redact(exception);
                inner.Log(logLevel, eventId, state, redacted, formatter);
            }
        }
    }
}
