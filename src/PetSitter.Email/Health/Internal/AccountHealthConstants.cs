namespace PetSitter.Email.Health;

/// <summary>The account breaker's option defaults, in one place for the options and their docs.</summary>
internal static class AccountHealthConstants
{
    public static readonly TimeSpan DefaultCredentialProbeInterval = TimeSpan.FromHours(6);

    public static readonly TimeSpan DefaultInitialProbeInterval = TimeSpan.FromMinutes(1);

    public static readonly TimeSpan DefaultMaxProbeInterval = TimeSpan.FromHours(1);

    public static readonly TimeSpan DefaultThrottleDuration = TimeSpan.FromHours(1);

    public static readonly TimeSpan DefaultProbeTimeout = TimeSpan.FromMinutes(5);
}
