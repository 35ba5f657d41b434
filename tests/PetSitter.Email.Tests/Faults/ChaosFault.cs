namespace PetSitter.Email.Tests.Faults;

/// <summary>What the chaos transport does to one attempt of one message.</summary>
internal enum ChaosFault
{
    /// <summary>Nothing: the attempt goes to the server.</summary>
    None,

    /// <summary>The connection is reset before the message is handed over (a <c>SocketException</c> at MAIL FROM).</summary>
    ResetBeforeDelivery,

    /// <summary>An I/O error while the message is written, before its end (an <c>IOException</c> at DATA).</summary>
    IoErrorBeforeDelivery,

    /// <summary>No answer to RCPT TO in time (a <c>TimeoutException</c>).</summary>
    TimeoutBeforeDelivery,

    /// <summary>The end of the message was written, then the connection broke; the server never got it.</summary>
    LostBeforeTheServerKeptIt,

    /// <summary>The server kept the message, then the connection broke before its reply reached the client.</summary>
    LostAfterTheServerKeptIt,

    /// <summary>A transport that breaks its contract: a bare <c>IOException</c> with no stage, after the server kept the message.</summary>
    BareIoExceptionAfterDelivery,
}
