using System.Globalization;
using System.Security.Authentication;

namespace PetSitter.Email.Diagnostics;

/// <summary>How the diagnosis words evidence, stages, sizes and times, the same in every step.</summary>
internal static class DiagnosticText
{
    public static string Evidence(SmtpFailure failure)
    {
        // MailKit's text for a dropped connection can carry the last reply it read (the EHLO list), which
        // reads as if the server had said it: the fact is that nothing came.
        if (failure.RuleName == "disconnected" && failure.StatusCode is null)
        {
            return $"The server closed the connection without a reply (at {StageName(failure.Stage)}).";
        }

        var reply = failure.Reply ?? string.Empty;
        if (failure.StatusCode is { } code && !reply.StartsWith(code.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal))
        {
            return string.Create(CultureInfo.InvariantCulture, $"{code} {reply}");
        }

        return reply;
    }

    public static string StageName(SmtpStage? stage) => stage switch
    {
        SmtpStage.Connect => "connect",
        SmtpStage.Tls => "the TLS handshake",
        SmtpStage.Greeting => "the greeting",
        SmtpStage.Ehlo => "EHLO",
        SmtpStage.Authenticate => "sign-in",
        SmtpStage.MailFrom => "MAIL FROM",
        SmtpStage.RcptTo => "RCPT TO",
        SmtpStage.Data => "DATA",
        SmtpStage.AfterData => "the end of the message",
        _ => "an unknown point",
    };

    public static string? DomainOf(string? address)
    {
        var at = address?.LastIndexOf('@') ?? -1;
        return at > 0 && at < address!.Length - 1 ? address[(at + 1)..] : null;
    }

    public static string Describe(SslProtocols protocol) => protocol switch
    {
        SslProtocols.Tls13 => "TLS 1.3",
        SslProtocols.Tls12 => "TLS 1.2",
        _ => protocol.ToString(),
    };

    public static string Megabytes(uint bytes) =>
        string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024.0):0.#} MB");

    public static string Seconds(TimeSpan span) =>
        string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0.###} s");

    public static string Hours(TimeSpan span) =>
        span.TotalHours >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalHours:0.#} hours") : string.Create(CultureInfo.InvariantCulture, $"{span.TotalMinutes:0} minutes");

    public static string Utc(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
