namespace PetSitter.Email.Limits;

/// <summary>The send limits' option defaults, in one place for the options and their docs.</summary>
internal static class SendLimitConstants
{
    public static readonly TimeSpan DefaultMaxThrottleWait = TimeSpan.FromSeconds(2);

    /// <summary>Marketing's share of the hour and day windows: the other 40 % stays for quotes and invoices.</summary>
    public const int DefaultMarketingSharePercent = 60;

    /// <summary>
    /// Off: the store knows a mailbox only from the library's own sends (and the in-memory store forgets it at a restart),
    /// so a default warm-up would hold an established mailbox's marketing back after every upgrade or restart. An app
    /// turns it on for a mailbox it knows is new, with <see cref="SuggestedWarmUpFirstDay"/>.
    /// </summary>
    public const int DefaultMarketingWarmUpFirstDay = 0;

    /// <summary>A new mailbox's marketing on its first day, as the docs suggest it; the ceiling doubles each day after.</summary>
    public const int SuggestedWarmUpFirstDay = 50;

    /// <summary>
    /// Day over day growth of the warm-up ceiling: senders' warm-up guides advise never more than twice the day before.
    /// </summary>
    public const int WarmUpGrowth = 2;

    /// <summary>
    /// A mailbox the library has not sent through for this long warms up again: senders' guides treat a sender
    /// idle for about a month as cold.
    /// </summary>
    /// <remarks>In days, a constant: the quota store (in Extensibility) reads it without depending on this namespace.</remarks>
    public const int HistoryForgottenAfterDays = 30;

    /// <summary>How long one process trusts the history start it read before it asks the store again (and so keeps it alive).</summary>
    public static readonly TimeSpan HistoryRecheck = TimeSpan.FromHours(1);

    /// <summary>The day a warm-up ends when the account has no limit to grow to (50 doubled 8 times: 12,800 a day).</summary>
    public const int WarmUpMaxDays = 9;
}
