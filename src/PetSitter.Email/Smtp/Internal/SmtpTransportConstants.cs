namespace PetSitter.Email.Smtp;

/// <summary>The SMTP transport's option defaults, in one place for the options and their docs.</summary>
internal static class SmtpTransportConstants
{
    public const int DefaultMaxConnectionsPerAccount = 3;

    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public static readonly TimeSpan DefaultConnectionIdleTimeout = TimeSpan.FromSeconds(60);

    public static readonly TimeSpan DefaultConnectionWaitTimeout = TimeSpan.FromSeconds(30);
}
