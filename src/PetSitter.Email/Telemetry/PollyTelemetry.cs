using Microsoft.Extensions.Logging;
using Polly.Telemetry;

namespace PetSitter.Email;

/// <summary>
/// How the retry pipeline reports to Polly's telemetry (logger category <c>Polly</c>, meter <c>Polly</c>).
/// </summary>
/// <remarks>
/// <para>Polly logs each attempt's result and, for a failed attempt, the exception's message and the exception
/// itself. Ours carry only the stage and the server's reply with sign-in data removed
/// (<see cref="SmtpTransportException"/>, <see cref="SmtpReplyRedactor"/>); a receipt is logged as its
/// location (<c>host:port</c>) without the server's reply, which may quote the message's envelope.</para>
/// <para>Polly reports every attempt, successful or not, at Information; that would be a log line per email,
/// so an attempt nothing retries is lowered to Debug. Retries (Warning) keep Polly's severity.</para>
/// </remarks>
internal static class PollyTelemetry
{
    public static TelemetryOptions Options(ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        return new TelemetryOptions
        {
            LoggerFactory = loggerFactory,
            ResultFormatter = static (_, result) => result is DeliveryReceipt receipt ? receipt.Location : result,
            SeverityProvider = static args => args.Event.EventName == "ExecutionAttempt" && args.Event.Severity == ResilienceEventSeverity.Information
                ? ResilienceEventSeverity.Debug
                : args.Event.Severity,
        };
    }
}
