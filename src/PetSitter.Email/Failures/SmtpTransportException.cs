namespace PetSitter.Email.Extensibility;

/// <summary>
/// Thrown by an <see cref="ISmtpTransport"/> when a message could not be handed to the server. It
/// records where the conversation failed and the server's reply, which is what the library
/// classifies into a <see cref="SmtpFailureKind"/>. Fakes throw it to script a provider's failure.
/// </summary>
/// <remarks>The message never contains a password or token: only the server's reply and the stage.</remarks>
public sealed class SmtpTransportException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SmtpTransportException()
        : this(SmtpStage.Connect, null, "The SMTP server could not be reached.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public SmtpTransportException(string message)
        : this(SmtpStage.Connect, null, message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public SmtpTransportException(string message, Exception innerException)
        : this(SmtpStage.Connect, null, message, innerException)
    {
    }

    /// <summary>Creates the exception for a failure at <paramref name="stage"/>.</summary>
    /// <param name="stage">Where the conversation failed.</param>
    /// <param name="statusCode">The server's three-digit reply code, or <see langword="null"/> when there was no reply.</param>
    /// <param name="reply">The server's reply text (with its enhanced status code, if any), or a description of the error.</param>
    /// <param name="innerException">The underlying exception, if any.</param>
    public SmtpTransportException(SmtpStage stage, int? statusCode, string reply, Exception? innerException = null)
        : base(FormatMessage(stage, statusCode, reply), innerException)
    {
        Stage = stage;
        StatusCode = statusCode;
        Reply = SmtpReplyRedactor.Redact(reply) ?? string.Empty;
        EnhancedStatusCode = EnhancedStatusCodes.Find(Reply);
    }

    /// <summary>Gets where the conversation failed.</summary>
    public SmtpStage Stage { get; }

    /// <summary>Gets the server's three-digit reply code, or <see langword="null"/> when the failure was not a reply.</summary>
    public int? StatusCode { get; }

    /// <summary>Gets the enhanced status code found in the reply (for example <c>5.7.8</c>), or <see langword="null"/>.</summary>
    public string? EnhancedStatusCode { get; }

    /// <summary>Gets the server's reply text, or a description of the error when there was no reply.</summary>
    public string Reply { get; }

    /// <summary>
    /// Gets the first lines of the server's greeting and EHLO reply on the failed connection, when the
    /// transport saw them: they name the server, and so often the provider behind an owner's own host name.
    /// </summary>
    internal string? ServerBanner { get; set; }

    /// <summary>Gets the recipient the server refused, when the failure is a refusal at <c>RCPT TO</c> and the transport knows which.</summary>
    internal string? RefusedRecipient { get; set; }

    private static string FormatMessage(SmtpStage stage, int? statusCode, string reply) =>
        statusCode is null
            ? $"SMTP failed at {stage}: {SmtpReplyRedactor.Redact(reply)}"
            : $"SMTP failed at {stage}: {statusCode} {SmtpReplyRedactor.Redact(reply)}";
}
