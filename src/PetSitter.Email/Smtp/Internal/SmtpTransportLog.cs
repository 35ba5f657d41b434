using Microsoft.Extensions.Logging;

namespace PetSitter.Email.Smtp;

/// <summary>The SMTP transport's log messages: endpoints and stages only, never addresses or secrets.</summary>
internal static partial class SmtpTransportLog
{
    [LoggerMessage(EventId = LogEvents.Smtp.ConnectionOpened, Level = LogLevel.Debug, Message = "SMTP connection {ConnectionId} to {Endpoint} opened ({Security}, TLS: {IsSecure})")]
    public static partial void ConnectionOpened(ILogger logger, long connectionId, string endpoint, SmtpSecurity security, bool isSecure);

    [LoggerMessage(EventId = LogEvents.Smtp.ConnectionReused, Level = LogLevel.Trace, Message = "SMTP connection {ConnectionId} to {Endpoint} reused for send {SendNumber}")]
    public static partial void ConnectionReused(ILogger logger, long connectionId, string endpoint, int sendNumber);

    [LoggerMessage(EventId = LogEvents.Smtp.ConnectionClosed, Level = LogLevel.Debug, Message = "SMTP connection {ConnectionId} to {Endpoint} closed ({Reason}) after {Sends} sends")]
    public static partial void ConnectionClosed(ILogger logger, long connectionId, string endpoint, SmtpConnectionCloseReason reason, int sends);

    [LoggerMessage(EventId = LogEvents.Smtp.ReplacingClosedConnection, Level = LogLevel.Information, Message = "SMTP connection {ConnectionId} to {Endpoint} had been closed by the server; sending again on a new connection")]
    public static partial void ReplacingClosedConnection(ILogger logger, long connectionId, string endpoint);

    [LoggerMessage(EventId = LogEvents.Smtp.PoolReplaced, Level = LogLevel.Information, Message = "SMTP settings for {Host}:{Port} changed: the old connections are being closed")]
    public static partial void PoolReplaced(ILogger logger, string host, int port);

    [LoggerMessage(EventId = LogEvents.Smtp.SendFailed, Level = LogLevel.Debug, Message = "SMTP send through {Endpoint} failed at {Stage} (reply code {StatusCode})")]
    public static partial void SendFailed(ILogger logger, string endpoint, SmtpStage stage, int? statusCode);

    [LoggerMessage(EventId = LogEvents.Smtp.OpenFailed, Level = LogLevel.Debug, Message = "SMTP connection to {Endpoint} could not be opened: failed at {Stage} (reply code {StatusCode})")]
    public static partial void OpenFailed(ILogger logger, string endpoint, SmtpStage stage, int? statusCode);
}
