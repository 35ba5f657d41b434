namespace PetSitter.Email.Smtp;

/// <summary>Why a pooled SMTP connection was closed (logged).</summary>
internal enum SmtpConnectionCloseReason
{
    /// <summary>Unused for longer than the idle timeout.</summary>
    Idle = 1,

    /// <summary>The conversation failed and left the connection unusable.</summary>
    Broken = 2,

    /// <summary>Taken from the pool to be replaced by a new connection (the server had probably closed it).</summary>
    Stale = 3,

    /// <summary>The account's settings changed or the transport is shutting down.</summary>
    Retired = 4,
}
