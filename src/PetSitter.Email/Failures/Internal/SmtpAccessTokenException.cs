namespace PetSitter.Email.Failures;

/// <summary>
/// Marks a sign-in that failed for want of a usable OAuth2 access token (the provider could not supply one,
/// or the server refused a refreshed one), so the failure reads as expired credentials. Never holds a token.
/// </summary>
internal sealed class SmtpAccessTokenException : Exception
{
    public SmtpAccessTokenException()
    {
    }

    public SmtpAccessTokenException(string message)
        : base(message)
    {
    }

    public SmtpAccessTokenException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
