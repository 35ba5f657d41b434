namespace PetSitter.Email.Testing;

/// <summary>
/// What a <see cref="ScriptedSmtpServer.Script"/> knows when it is asked how to answer: the stage, the
/// connection and what the client sent at that stage.
/// </summary>
public sealed class SmtpScriptContext
{
    internal SmtpScriptContext(SmtpStage stage, int connectionId, bool isSecure, string? userName, string? address, int messagesReceived, ReceivedSmtpMessage? message)
    {
        Stage = stage;
        ConnectionId = connectionId;
        IsSecure = isSecure;
        UserName = userName;
        Address = address;
        MessagesReceived = messagesReceived;
        Message = message;
    }

    /// <summary>
    /// Gets the stage being answered: <see cref="SmtpStage.Greeting"/>, <see cref="SmtpStage.Ehlo"/>,
    /// <see cref="SmtpStage.Tls"/> (the STARTTLS command),
    /// <see cref="SmtpStage.Authenticate"/>, <see cref="SmtpStage.MailFrom"/>, <see cref="SmtpStage.RcptTo"/>,
    /// <see cref="SmtpStage.Data"/> (the DATA command) or <see cref="SmtpStage.AfterData"/> (the end of the message).
    /// </summary>
    public SmtpStage Stage { get; }

    /// <summary>Gets the number of the connection (1 for the server's first connection).</summary>
    public int ConnectionId { get; }

    /// <summary>Gets whether the connection is encrypted (implicit TLS or after STARTTLS).</summary>
    public bool IsSecure { get; }

    /// <summary>
    /// Gets the user name: at <see cref="SmtpStage.Authenticate"/> the one being tried, later the one the client
    /// signed in with; <see langword="null"/> when there is none. The password is never shown.
    /// </summary>
    public string? UserName { get; }

    /// <summary>
    /// Gets the address the client sent: the sender at <see cref="SmtpStage.MailFrom"/> (empty for <c>&lt;&gt;</c>),
    /// the recipient at <see cref="SmtpStage.RcptTo"/>; <see langword="null"/> at other stages.
    /// </summary>
    public string? Address { get; }

    /// <summary>
    /// Gets whether the sign-in at <see cref="SmtpStage.Authenticate"/> is AUTH XOAUTH2 (an OAuth2 access token)
    /// rather than a password; <see langword="false"/> at other stages. The token is never shown.
    /// </summary>
    public bool UsesAccessToken { get; internal init; }

    /// <summary>Gets how many messages the server has recorded so far, over all connections.</summary>
    public int MessagesReceived { get; }

    /// <summary>
    /// Gets the message just received, at <see cref="SmtpStage.AfterData"/> only. It is recorded unless the
    /// script answers with a failure.
    /// </summary>
    public ReceivedSmtpMessage? Message { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Stage} on connection {ConnectionId}{(Address is null ? string.Empty : $" <{Address}>")}";
}
