using System.Globalization;
using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;

namespace PetSitter.Email.Smtp;

/// <summary>
/// Turns what MailKit throws into a <see cref="SmtpTransportException"/> carrying the stage (from the
/// <see cref="SmtpStageTracker"/> where the exception does not say), the server's code and its reply.
/// </summary>
internal static class SmtpFailureTranslator
{
    public static SmtpTransportException Translate(Exception exception, SmtpStageTracker tracker, SmtpCertificateValidator? certificates, string endpoint, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(tracker);
        var translated = exception switch
        {
            SmtpTransportException already => already,
            SslHandshakeException tls => FromTls(tls, certificates, endpoint),
            SaslException sasl => new SmtpTransportException(SmtpStage.Authenticate, null, $"Signing in failed: {sasl.Message}", sasl),
            AuthenticationException auth => FromAuthentication(auth, tracker),
            SmtpCommandException command => FromCommand(command, tracker),
            ServiceNotAuthenticatedException notAuthenticated => new SmtpTransportException(
                tracker.FirstErrorReply?.Stage ?? tracker.CurrentStage,
                tracker.FirstErrorReply?.Code ?? (int)SmtpStatusCode.AuthenticationRequired,
                notAuthenticated.Message,
                notAuthenticated),
            NotSupportedException notSupported => FromNotSupported(notSupported, tracker, endpoint),
            TimeoutException => FromLostConnection(exception, tracker, string.Create(CultureInfo.InvariantCulture, $"no answer came from {endpoint} within {timeout.TotalSeconds:0.#} s")),
            OperationCanceledException => FromLostConnection(exception, tracker, $"the operation with {endpoint} was cancelled"),
            SocketException socket when !tracker.Connected => new SmtpTransportException(
                SmtpStage.Connect, null, $"Could not connect to {endpoint}: {socket.Message} ({socket.SocketErrorCode}).", socket),
            _ => FromLostConnection(exception, tracker, $"the connection to {endpoint} failed ({exception.Message.TrimEnd('.')})"),
        };
        translated.ServerBanner ??= tracker.ServerBanner;
        return translated;
    }

    private static SmtpTransportException FromTls(SslHandshakeException exception, SmtpCertificateValidator? certificates, string endpoint)
    {
        var reason = certificates?.FailureReason;
        var reply = reason is not null
            ? $"The certificate of {endpoint} is not trusted: {reason}"
            : $"The TLS handshake with {endpoint} failed: {exception.InnerException?.Message ?? exception.Message}";
        return new SmtpTransportException(SmtpStage.Tls, null, reply, exception);
    }

    private static SmtpTransportException FromAuthentication(AuthenticationException exception, SmtpStageTracker tracker)
    {
        // With a password MailKit nests the server's reply; otherwise its message reads "535: 5.7.8 ...".
        if (exception.InnerException is SmtpCommandException command)
        {
            return new SmtpTransportException(SmtpStage.Authenticate, (int)command.StatusCode, command.Message, exception);
        }

        var (code, text) = SplitCode(exception.Message);

        // When the last mechanism tried is refused, MailKit says only "Authentication failed."; the
        // tracker saw the server's code (Gmail's 534 "app password required" must not read as a wrong password).
        if (code is null && tracker.FirstErrorReply is { Stage: SmtpStage.Authenticate } refused)
        {
            code = refused.Code;
            text = $"{refused.Code} {text}";
        }

        return new SmtpTransportException(SmtpStage.Authenticate, code, text, exception);
    }

    private static SmtpTransportException FromCommand(SmtpCommandException exception, SmtpStageTracker tracker)
    {
        var stage = exception.ErrorCode switch
        {
            SmtpErrorCode.SenderNotAccepted => SmtpStage.MailFrom,
            SmtpErrorCode.RecipientNotAccepted => SmtpStage.RcptTo,

            // A definite refusal after DATA: the server said no, so nothing is uncertain.
            SmtpErrorCode.MessageNotAccepted => SmtpStage.Data,
            _ => tracker.FirstErrorReply?.Stage ?? tracker.CurrentStage,
        };
        return new SmtpTransportException(stage, (int)exception.StatusCode, exception.Message, exception)
        {
            // Which recipient, so a permanent refusal can put that address (and only it) on the suppression list.
            RefusedRecipient = stage == SmtpStage.RcptTo ? exception.Mailbox?.Address : null,
        };
    }

    private static SmtpTransportException FromNotSupported(NotSupportedException exception, SmtpStageTracker tracker, string endpoint)
    {
        var stage = tracker.CurrentStage;
        if (stage is SmtpStage.Connect or SmtpStage.Greeting or SmtpStage.Ehlo)
        {
            // MailKit's StartTls option: the server's EHLO did not offer STARTTLS.
            return new SmtpTransportException(SmtpStage.Ehlo, null, $"{endpoint} does not offer STARTTLS, which this account requires: {exception.Message}", exception);
        }

        if (stage == SmtpStage.Authenticate)
        {
            return new SmtpTransportException(SmtpStage.Authenticate, null, $"{endpoint} offers no sign-in method the library can use with a password: {exception.Message}", exception);
        }

        return new SmtpTransportException(stage, null, exception.Message, exception);
    }

    private static SmtpTransportException FromLostConnection(Exception exception, SmtpStageTracker tracker, string what)
    {
        // "what" always starts with a word, never the host name, so capitalising it is safe.
        var stage = tracker.CurrentStage;
        var reply = stage == SmtpStage.AfterData
            ? $"The whole message was sent, then {what} before the server confirmed it: delivery is uncertain, so it must not be resent blindly."
            : $"{Capitalize(what)}.";
        return new SmtpTransportException(stage, null, reply, exception);
    }

    private static (int? Code, string Text) SplitCode(string message)
    {
        if (message.Length >= 5 && char.IsAsciiDigit(message[0]) && char.IsAsciiDigit(message[1]) && char.IsAsciiDigit(message[2]) && message[3] == ':')
        {
            return (int.Parse(message.AsSpan(0, 3), CultureInfo.InvariantCulture), message[4..].Trim());
        }

        return (null, message);
    }

    private static string Capitalize(string text) =>
        text.Length == 0 || char.IsUpper(text[0]) ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
