using StackExchange.Redis;

namespace PetSitter.Email;

/// <summary>Tells an unreachable or unavailable Redis (the failure mode applies) from a bug (it must surface).</summary>
internal static class RedisOutage
{
    private static readonly string[] UnavailableReplies = ["LOADING", "READONLY", "MASTERDOWN", "CLUSTERDOWN", "TRYAGAIN", "BUSY"];

    public static bool Is(Exception exception) => exception switch
    {
        RedisConnectionException or RedisTimeoutException or TimeoutException => true,
        RedisServerException server => Array.Exists(UnavailableReplies, reply => server.Message.StartsWith(reply, StringComparison.Ordinal)),
        _ => false,
    };
}
