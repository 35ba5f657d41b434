namespace PetSitter.Email.Failures;

/// <summary>
/// Marks a refused connection to a host and port that accepted one earlier in this process. A wrong port
/// never answers, so such a refusal is a server restarting or down for a moment: the failure reads as
/// transient instead of pointing the owner at the port.
/// </summary>
internal sealed class SmtpServerRestartingException : Exception
{
    public SmtpServerRestartingException()
    {
    }

    public SmtpServerRestartingException(string message)
        : base(message)
    {
    }

    public SmtpServerRestartingException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
