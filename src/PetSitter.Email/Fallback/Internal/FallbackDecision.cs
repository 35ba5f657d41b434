namespace PetSitter.Email.Fallback;

/// <summary>What the sender does with a message SMTP could not take.</summary>
internal enum FallbackDecision
{
    /// <summary>End as failed: the failure concerns the message itself, so another channel would fail too.</summary>
    Fail = 1,

    /// <summary>Send it through the native mailer now.</summary>
    SendNative = 2,

    /// <summary>Hold it in the deferred queue until the account can send again.</summary>
    Defer = 3,
}
