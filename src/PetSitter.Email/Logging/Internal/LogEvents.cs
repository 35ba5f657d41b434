namespace PetSitter.Email.Logging;

/// <summary>
/// Every log event id the core library writes, one range per area, so an id names one event wherever it is
/// read (a dashboard, an alert, a support ticket). A new event takes the next free id in its area's range;
/// a new area takes a free range here and in docs/observability.md. <c>LogEventIdTests</c> fails the build's
/// tests on any id used twice across the library's assemblies.
/// </summary>
/// <remarks>
/// <list type="table">
/// <listheader><term>Range</term><description>Area</description></listheader>
/// <item><term>1000–1099</term><description>Sending: the outcome of each send (the sender)</description></item>
/// <item><term>1100–1199</term><description>Sending: the SMTP channel's policy (breaker, limits)</description></item>
/// <item><term>1200–1299</term><description>Messages: headers and content</description></item>
/// <item><term>2000–2099</term><description>Smtp: connections and the transport</description></item>
/// <item><term>2100–2199</term><description>Health: account health and the breaker</description></item>
/// <item><term>3000–3099</term><description>Deferral: the deferred queue's dispatcher</description></item>
/// <item><term>3100–3199</term><description>Diagnostics: the account check</description></item>
/// <item><term>3200–3299</term><description>Native: the native mailer</description></item>
/// <item><term>4000–4999</term><description>PetSitter.Email.Redis (its own <c>RedisLogEvents</c>)</description></item>
/// <item><term>5000–5999</term><description>Reserved for the command-line tool</description></item>
/// </list>
/// Within a range, x001–x049 are the everyday events and x051–x099 the warnings about capacity or escalation.
/// </remarks>
internal static class LogEvents
{
    /// <summary>Sending 1000–1099: what happened to each message.</summary>
    internal static class Sending
    {
        public const int Sent = 1001;
        public const int SmtpFailed = 1002;
        public const int NativeFailed = 1003;
        public const int Uncertain = 1004;
        public const int Deferred = 1005;
        public const int Suppressed = 1006;
        public const int HardBounceAdded = 1007;
        public const int DeferredQueueFull = 1051;
        public const int SuppressionCheckFailed = 1052;
        public const int HardBounceNotAdded = 1053;
    }

    /// <summary>Sending 1100–1199: the SMTP channel's breaker and limits.</summary>
    internal static class SmtpChannel
    {
        public const int Blocked = 1101;
        public const int Throttled = 1102;
        public const int MarketingHeld = 1103;
        public const int AttemptTimedOut = 1104;
    }

    /// <summary>Messages 1200–1299.</summary>
    internal static class Messages
    {
        public const int UnsubscribeIgnored = 1201;
        public const int UnsubscribeLinkSkipped = 1202;
    }

    /// <summary>Smtp 2000–2099: connections and the transport.</summary>
    internal static class Smtp
    {
        public const int ConnectionOpened = 2001;
        public const int ConnectionReused = 2002;
        public const int ConnectionClosed = 2003;
        public const int ReplacingClosedConnection = 2004;
        public const int PoolReplaced = 2005;
        public const int SendFailed = 2006;
        public const int OpenFailed = 2007;
    }

    /// <summary>Health 2100–2199: account health and the breaker.</summary>
    internal static class Health
    {
        public const int Changed = 2101;
        public const int Probe = 2102;
        public const int HandlerFailed = 2103;
        public const int MarketingPaused = 2151;
        public const int GreetingEscalated = 2152;
    }

    /// <summary>Deferral 3000–3099: the dispatcher of deferred emails.</summary>
    internal static class Deferral
    {
        public const int Final = 3001;
        public const int Redeferred = 3002;
        public const int GaveUp = 3003;
        public const int ResendFailed = 3004;
        public const int ListenerFailed = 3005;
        public const int PassFailed = 3006;
        public const int Released = 3007;
        public const int ReleaseFailed = 3008;
    }

    /// <summary>Diagnostics 3100–3199: the account check.</summary>
    internal static class Diagnostics
    {
        public const int Started = 3101;
        public const int StepFailed = 3102;
        public const int Finished = 3103;
        public const int SenderDomainNotChecked = 3110;
    }

    /// <summary>Native 3200–3299: the native mailer.</summary>
    internal static class Native
    {
        public const int Written = 3201;
    }
}
