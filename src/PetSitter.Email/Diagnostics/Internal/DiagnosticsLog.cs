using Microsoft.Extensions.Logging;

namespace PetSitter.Email.Diagnostics;

/// <summary>The diagnosis's log messages: endpoints, steps and kinds only, never addresses or secrets.</summary>
internal static partial class DiagnosticsLog
{
    [LoggerMessage(EventId = LogEvents.Diagnostics.Started, Level = LogLevel.Debug, Message = "SMTP diagnosis of {Endpoint} started")]
    public static partial void Started(ILogger logger, string endpoint);

    [LoggerMessage(EventId = LogEvents.Diagnostics.StepFailed, Level = LogLevel.Debug, Message = "SMTP diagnosis of {Endpoint}: {Step} failed at {Stage} ({Kind})")]
    public static partial void StepFailed(ILogger logger, string endpoint, string step, SmtpStage? stage, SmtpFailureKind kind);

    [LoggerMessage(EventId = LogEvents.Diagnostics.SenderDomainNotChecked, Level = LogLevel.Debug, Message = "SMTP diagnosis of {Endpoint}: the sender domain's {Record} record was not checked: {Reason}")]
    public static partial void SenderDomainNotChecked(ILogger logger, string endpoint, SenderDomainRecord record, string reason);

    [LoggerMessage(EventId = LogEvents.Diagnostics.Finished, Level = LogLevel.Information, Message = "SMTP diagnosis of {Endpoint} finished: healthy {IsHealthy}, {Failed} question(s) failed, {Warnings} warning(s)")]
    public static partial void Finished(ILogger logger, string endpoint, bool isHealthy, int failed, int warnings);
}
