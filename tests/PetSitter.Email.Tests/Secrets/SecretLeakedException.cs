namespace PetSitter.Email.Tests.Secrets;

/// <summary>Fails a test whose logs carried a registered secret.</summary>
public sealed class SecretLeakedException : Exception
{
    public SecretLeakedException()
    {
    }

    public SecretLeakedException(string message)
        : base(message)
    {
    }

    public SecretLeakedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
