namespace PetSitter.Email.OAuth;

/// <summary>
/// The provider refused the stored refresh token (<c>invalid_grant</c>: revoked, expired after inactivity, password
/// changed) or the business has no grant: only reconnecting the mailbox helps. The send reads as
/// <see cref="SmtpFailureKind.CredentialsExpired"/> with <see cref="RequiredAction.Reconnect"/>. Never holds a token.
/// </summary>
public sealed class SmtpOAuthGrantRevokedException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public SmtpOAuthGrantRevokedException()
        : base("The mailbox's OAuth2 grant was revoked or has expired: reconnect the mailbox.")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What happened, without any token.</param>
    public SmtpOAuthGrantRevokedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What happened, without any token.</param>
    /// <param name="innerException">The cause.</param>
    public SmtpOAuthGrantRevokedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
