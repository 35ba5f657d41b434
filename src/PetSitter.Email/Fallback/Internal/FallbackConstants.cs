namespace PetSitter.Email.Fallback;

/// <summary>The fallback policy's option defaults, in one place for the options and their docs.</summary>
internal static class FallbackConstants
{
    public const SmtpFallbackAction DefaultMarketing = SmtpFallbackAction.Defer;

    // Every category but marketing: the recipient is waiting for it (a quote, an invoice).
    public const SmtpFallbackAction DefaultOther = SmtpFallbackAction.SendNative;

    public const int DefaultMaxDeferredAttempts = 10;

    public const int DefaultDeferredBatchSize = 100;

    public const int DefaultMaxInMemoryDeferred = 10_000;

    public static readonly TimeSpan DefaultMaxDeferral = TimeSpan.FromDays(3);

    public static readonly TimeSpan DefaultDeferredRetryDelay = TimeSpan.FromMinutes(5);

    public static readonly TimeSpan DefaultDeferredPollInterval = TimeSpan.FromSeconds(30);
}
