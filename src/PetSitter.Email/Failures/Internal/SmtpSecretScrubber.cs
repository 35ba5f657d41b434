using MailKit.Net.Smtp;

namespace PetSitter.Email.Failures;

/// <summary>
/// Takes the account's own secret out of a translated failure. <see cref="SmtpReplyRedactor"/> recognises
/// secrets by their shape (an AUTH argument, a bearer token, a base64 credential payload); a server that
/// echoes the bare password ("535 5.7.8 bad password hunter2") is caught only by knowing the password.
/// MailKit's own exceptions keep the raw reply in their message, so when one of them held a secret the
/// inner exception is replaced by a clean copy that keeps what classification reads (type, codes).
/// </summary>
internal static class SmtpSecretScrubber
{
    private const string Hidden = "***";

    // Shorter "secrets" would blank out ordinary words of the reply and protect nothing.
    private const int MinimumSecretLength = 3;

    public static SmtpTransportException Scrub(SmtpTransportException exception, string? secret)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var known = secret is { Length: >= MinimumSecretLength } ? secret : null;
        if (!HasSecret(exception.Reply, known) && !ChainHasSecret(exception.InnerException, known))
        {
            return exception;
        }

        return new SmtpTransportException(exception.Stage, exception.StatusCode, Clean(exception.Reply, known)!, CleanChain(exception.InnerException, known))
        {
            ServerBanner = exception.ServerBanner,

            // The suppression list needs which address a RCPT TO refusal was about, password or not.
            RefusedRecipient = exception.RefusedRecipient,
        };
    }

    private static bool HasSecret(string? text, string? secret) =>
        !string.IsNullOrEmpty(text)
        && ((secret is not null && text.Contains(secret, StringComparison.Ordinal)) || !string.Equals(SmtpReplyRedactor.Redact(text), text, StringComparison.Ordinal));

    /// <summary>
    /// MailKit's reply-carrying exceptions are checked by shape too and can be rebuilt; any other link (a
    /// socket or protocol error, whose type classification reads) is dropped only for the password itself,
    /// so a message merely mentioning "AUTH PLAIN" does not cost the failure its cause.
    /// </summary>
    private static bool LinkHasSecret(Exception exception, string? secret) =>
        exception is SmtpCommandException or MailKit.Security.AuthenticationException
            ? HasSecret(exception.Message, secret)
            : secret is not null && exception.Message.Contains(secret, StringComparison.Ordinal);

    private static bool ChainHasSecret(Exception? exception, string? secret)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (LinkHasSecret(e, secret))
            {
                return true;
            }
        }

        return false;
    }

    private static string? Clean(string? text, string? secret)
    {
        var redacted = SmtpReplyRedactor.Redact(text);
        return secret is null || redacted is null ? redacted : redacted.Replace(secret, Hidden, StringComparison.Ordinal);
    }

    /// <summary>A copy of the chain without the secret; a link that cannot be rebuilt clean is left out.</summary>
    private static Exception? CleanChain(Exception? exception, string? secret)
    {
        if (exception is null)
        {
            return null;
        }

        var inner = CleanChain(exception.InnerException, secret);
        if (!LinkHasSecret(exception, secret))
        {
            // Kept as it is when clean and nothing below it changed; otherwise what it wrapped is lost with it.
            return ReferenceEquals(inner, exception.InnerException) ? exception : inner;
        }

        var message = Clean(exception.Message, secret)!;
        return (exception, inner) switch
        {
            (SmtpCommandException { Mailbox: { } mailbox } command, { } cause) => new SmtpCommandException(command.ErrorCode, command.StatusCode, mailbox, message, cause),
            (SmtpCommandException { Mailbox: { } mailbox } command, null) => new SmtpCommandException(command.ErrorCode, command.StatusCode, mailbox, message),
            (SmtpCommandException command, { } cause) => new SmtpCommandException(command.ErrorCode, command.StatusCode, message, cause),
            (SmtpCommandException command, null) => new SmtpCommandException(command.ErrorCode, command.StatusCode, message),
            (MailKit.Security.AuthenticationException, { } cause) => new MailKit.Security.AuthenticationException(message, cause),
            (MailKit.Security.AuthenticationException, null) => new MailKit.Security.AuthenticationException(message),
            _ => inner,
        };
    }
}
