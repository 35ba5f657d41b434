using Microsoft.Extensions.Logging;
using Polly.Telemetry;

namespace PetSitter.Email.Telemetry;

/// <summary>
/// How the retry pipeline reports to Polly's telemetry (logger category <c>Polly</c>, meter <c>Polly</c>).
/// </summary>
/// <remarks>
/// <para>Polly logs each attempt's result and, for a failed attempt, the exception's message and the exception
/// itself with its inner exceptions. Our message carries only the stage and the server's reply with sign-in data
/// removed (<see cref="SmtpTransportException"/>, <see cref="SmtpReplyRedactor"/>), but the inner MailKit
/// exceptions hold the raw reply, so Polly's loggers drop the inner chain (<see cref="RedactingLoggerFactory"/>).
/// A receipt is logged as its location (<c>host:port</c>) without the server's reply, which may quote the envelope.</para>
/// <para>Polly reports a successful attempt and every pipeline run at Information: two log lines per retried email (a send
/// that succeeds at once never meets the pipeline, see <see cref="SmtpRetryPipeline"/>). Those are lowered to Debug;
/// failed attempts and retries (Warning) and anything else keep Polly's severity.</para>
/// </remarks>
internal static class PollyTelemetry
{
    public static TelemetryOptions Options(ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        return new TelemetryOptions
        {
            LoggerFactory = new RedactingLoggerFactory(loggerFactory),
            ResultFormatter = static (_, result) => result is DeliveryReceipt receipt ? receipt.Location : result,
            SeverityProvider = static args => args.Event.Severity == ResilienceEventSeverity.Information
                && args.Event.EventName is "ExecutionAttempt" or "PipelineExecuted"
                    ? ResilienceEventSeverity.Debug
                    : args.Event.Severity,
        };
    }
}
