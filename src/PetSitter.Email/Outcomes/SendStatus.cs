namespace PetSitter.Email;

/// <summary>How a send ended. Every message ends in exactly one of these.</summary>
public enum SendStatus
{
    /// <summary>A server or the pickup directory accepted the message.</summary>
    Sent = 1,

    /// <summary>The message is held and will be sent when its account can send again.</summary>
    Deferred = 2,

    /// <summary>The message was not sent; <see cref="SendOutcome.Reason"/> says why.</summary>
    Failed = 3,

    /// <summary>
    /// The connection was lost after the whole message was handed over but before the server answered:
    /// it may have been delivered. It is not resent blindly.
    /// </summary>
    DeliveryUncertain = 4,
}
