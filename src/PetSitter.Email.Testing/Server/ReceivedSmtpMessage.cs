using MimeKit;

namespace PetSitter.Email.Testing;

/// <summary>A message a <see cref="ScriptedSmtpServer"/> received, with its envelope.</summary>
public sealed class ReceivedSmtpMessage
{
    internal ReceivedSmtpMessage(int connectionId, string sender, IReadOnlyList<string> recipients, byte[] data, MimeMessage message, string? userName, bool wasSecure)
    {
        ConnectionId = connectionId;
        Sender = sender;
        Recipients = recipients;
        Data = data;
        Message = message;
        UserName = userName;
        WasSecure = wasSecure;
    }

    /// <summary>Gets the number of the connection the message came on (1 for the server's first connection).</summary>
    public int ConnectionId { get; }

    /// <summary>Gets the envelope sender (MAIL FROM); empty for the null sender <c>&lt;&gt;</c>.</summary>
    public string Sender { get; }

    /// <summary>Gets the envelope recipients (RCPT TO) the server accepted, in order.</summary>
    public IReadOnlyList<string> Recipients { get; }

    /// <summary>
    /// Gets the message's bytes as the client sent them between DATA and the final dot, with dot-stuffing
    /// removed and ending with CRLF.
    /// </summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>Gets the message parsed from <see cref="Data"/>.</summary>
    public MimeMessage Message { get; }

    /// <summary>Gets the user name the client signed in with, or <see langword="null"/> when it did not sign in.</summary>
    public string? UserName { get; }

    /// <summary>Gets whether the connection was encrypted (implicit TLS or after STARTTLS).</summary>
    public bool WasSecure { get; }

    /// <inheritdoc />
    public override string ToString() =>
        $"Message-ID <{Message.MessageId}> from <{Sender}> to {string.Join(", ", Recipients.Select(r => $"<{r}>"))} on connection {ConnectionId}";
}
