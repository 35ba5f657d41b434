namespace PetSitter.Email;

/// <summary>
/// Thrown by an <see cref="ISmtpAccessTokenProvider"/> when no token can be had for now although the grant is
/// fine: the authorization server is down, answered with a server error, or did not answer in time. The send
/// fails as <see cref="SmtpFailureKind.Transient"/> (retried, then the category's fallback) and the owner is not
/// asked to reconnect. Any other exception from the provider reads as <see cref="SmtpFailureKind.CredentialsExpired"/>.
/// </summary>
/// <remarks>Never put a token, a client secret or a token endpoint's response body in the message.</remarks>
public sealed class SmtpAccessTokenUnavailableException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public SmtpAccessTokenUnavailableException()
        : base("The authorization server could not issue an access token for now.")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong, without any token or secret.</param>
    public SmtpAccessTokenUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong, without any token or secret.</param>
    /// <param name="innerException">The network or timeout error behind it.</param>
    public SmtpAccessTokenUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
