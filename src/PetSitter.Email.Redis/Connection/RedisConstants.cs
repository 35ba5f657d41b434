namespace PetSitter.Email;

/// <summary>The Redis options' defaults, in one place for the options and their docs.</summary>
internal static class RedisConstants
{
    public const string DefaultKeyPrefix = "petsitter-email:";

    public const int DefaultDatabase = -1;

    public const RedisFailureMode DefaultFailureMode = RedisFailureMode.FailClosed;

    public const int DefaultMaxLeaseExpiries = 3;

    public static readonly TimeSpan DefaultFailClosedRetryAfter = TimeSpan.FromMinutes(1);

    public static readonly TimeSpan DefaultOperationTimeout = TimeSpan.FromSeconds(2);

    public static readonly TimeSpan DefaultDeferredLeaseDuration = TimeSpan.FromMinutes(15);

    public static readonly TimeSpan DefaultHealthRetention = TimeSpan.FromDays(1);

    public static readonly TimeSpan DefaultFirstSignInWait = TimeSpan.FromSeconds(15);
}
