namespace PetSitter.Email;

/// <summary>
/// The log event ids of PetSitter.Email.AspNetCore: the range 6000–6999, one hundred per feature, apart from the
/// core's and the Redis package's ranges (see the core's <c>LogEvents</c> and docs/observability.md). A new feature
/// of this package (the OAuth connect endpoints, say) takes the next free hundred.
/// </summary>
internal static class AspNetCoreLogEvents
{
    /// <summary>The one-click unsubscribe endpoint 6000–6099.</summary>
    internal static class Unsubscribe
    {
        public const int Unsubscribed = 6001;
        public const int AlreadyUnsubscribed = 6002;
        public const int LinkRefused = 6003;
        public const int RequestRefused = 6004;
        public const int ListFailed = 6051;
    }

    /// <summary>The OAuth connect endpoints 6100–6199.</summary>
    internal static class OAuth
    {
        public const int ConnectStarted = 6101;
        public const int Connected = 6102;
        public const int CallbackRefused = 6103;
        public const int SignInCheckFailed = 6104;
        public const int Disconnected = 6105;
        public const int Forbidden = 6106;
        public const int ReturnUrlRefused = 6107;
    }
}
