namespace PetSitter.Email.Limits;

/// <summary>The send limits' option defaults, in one place for the options and their docs.</summary>
internal static class SendLimitConstants
{
    public static readonly TimeSpan DefaultMaxThrottleWait = TimeSpan.FromSeconds(2);
}
