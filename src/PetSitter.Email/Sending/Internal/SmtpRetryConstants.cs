namespace PetSitter.Email.Sending;

/// <summary>The SMTP retry's option defaults, in one place for the options and their docs.</summary>
internal static class SmtpRetryConstants
{
    public const int DefaultMaxRetryAttempts = 2;

    public static readonly TimeSpan DefaultDelay = TimeSpan.FromSeconds(1);

    public static readonly TimeSpan DefaultAttemptTimeout = TimeSpan.FromMinutes(2);
}
