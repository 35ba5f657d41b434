namespace PetSitter.Email;

/// <summary>
/// The log event ids of PetSitter.Email.Redis: the range 4000–4999, one hundred per area, apart from the core
/// library's ranges (see the core's <c>LogEvents</c> and docs/observability.md). A new event takes the next free
/// id in its area's range; <c>LogEventIdTests</c> fails on any id used twice across the library's assemblies.
/// </summary>
internal static class RedisLogEvents
{
    /// <summary>Connection 4000–4099.</summary>
    internal static class Connection
    {
        public const int Connecting = 4001;
    }

    /// <summary>Send limits 4100–4199.</summary>
    internal static class Limits
    {
        public const int Outage = 4101;
        public const int Recovered = 4102;
    }

    /// <summary>Account health (the shared breaker) 4200–4299.</summary>
    internal static class Health
    {
        public const int Outage = 4201;
        public const int Recovered = 4202;
        public const int Probe = 4203;
        public const int Waiting = 4204;
        public const int Followed = 4205;
    }

    /// <summary>The deferred queue 4300–4399.</summary>
    internal static class Deferral
    {
        public const int Held = 4301;
        public const int Replayed = 4302;
        public const int DeadLetter = 4303;
        public const int Requeued = 4304;
    }
}
