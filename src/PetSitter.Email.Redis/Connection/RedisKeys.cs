using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace PetSitter.Email;

/// <summary>
/// Every key the library writes. Account and business identifiers are hashed: keys stay short, carry no
/// mailbox address or business name, and the hash sits in braces (a cluster hash tag) so all the keys of
/// one account land in one slot, which the Lua scripts need.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>{prefix}quota:{h}</c>: hash, one account's bucket counters and provider hold.</item>
/// <item><c>{prefix}quota:{h}:since</c>: string, when the account's sending history began (Unix ms), kept 30 days after it was last read.</item>
/// <item><c>{prefix}health:{h}</c>, <c>{prefix}health:{h}:probe</c>: hash, one business's breaker; string, the probe claim.</item>
/// <item><c>{prefix}health:{h}:signed-in</c>, <c>{prefix}health:{h}:first-sign-in</c>: strings, the settings fingerprint that
/// signed in somewhere, and the claim of the one instance signing in first with a new one; <c>{prefix}health:sign-in</c> is the
/// channel their verdicts are published on.</item>
/// <item><c>{prefix}deferred:{q}:*</c>: the deferred queue (all in one slot: the scripts move entries between them).</item>
/// <item><c>{prefix}suppress:{h}</c>: hash, one business's suppression list: address (lower case) to reason and time.</item>
/// <item><c>{prefix}oauth:{h}:token</c>, <c>{prefix}oauth:{h}:refresh</c>: strings, one OAuth grant's shared access token (expiring
/// when it is due for refresh) and its refresh lock; <c>{prefix}oauth:refreshed</c> is the channel a released lock is announced on.</item>
/// </list>
/// </remarks>
internal sealed class RedisKeys
{
    private const int HashBytes = 12;
    private readonly string _prefix;

    public RedisKeys(string prefix)
    {
        _prefix = prefix;
        var queue = prefix + "deferred:{q}:";
        DeferredDue = queue + "due";
        DeferredLeases = queue + "leases";
        DeferredClaims = queue + "claims";
        DeferredItems = queue + "items";
        DeferredExpiries = queue + "lease-expiries";
        DeadLetters = queue + "dead";
        DeadItems = queue + "dead-items";
        DeadInfo = queue + "dead-info";
        DeferredHeld = queue + "held";
        SignInChannel = RedisChannel.Literal(prefix + "health:sign-in");
        OAuthRefreshedChannel = RedisChannel.Literal(prefix + "oauth:refreshed");
    }

    public RedisKey DeferredDue { get; }

    public RedisKey DeferredLeases { get; }

    public RedisKey DeferredClaims { get; }

    public RedisKey DeferredItems { get; }

    public RedisKey DeferredExpiries { get; }

    public RedisKey DeadLetters { get; }

    public RedisKey DeadItems { get; }

    public RedisKey DeadInfo { get; }

    /// <summary>Gets the hash of businesses with mail held for an account-level reason: business id to the settings fingerprint and latest due time.</summary>
    public RedisKey DeferredHeld { get; }

    /// <summary>Gets the channel a first sign-in's verdict is announced on (the message is the business's <see cref="Tag"/>).</summary>
    public RedisChannel SignInChannel { get; }

    /// <summary>Gets the channel a released OAuth refresh lock is announced on (the message is the grant's <see cref="Tag"/>).</summary>
    public RedisChannel OAuthRefreshedChannel { get; }

    /// <summary>The shared access token of one OAuth grant.</summary>
    public RedisKey OAuthToken(string grantId) => string.Concat(_prefix, "oauth:{", Tag(grantId), "}:token");

    /// <summary>The refresh lock of one OAuth grant, in the slot of its token.</summary>
    public RedisKey OAuthRefreshLock(string grantId) => string.Concat(_prefix, "oauth:{", Tag(grantId), "}:refresh");

    public RedisKey Quota(string accountKey) => string.Concat(_prefix, "quota:{", Tag(accountKey), "}");

    /// <summary>The start of one account's sending history (for the marketing warm-up), in the slot of its counters.</summary>
    public RedisKey QuotaHistory(string accountKey) => string.Concat(_prefix, "quota:{", Tag(accountKey), "}:since");

    public (RedisKey State, RedisKey Probe) Health(string businessId)
    {
        var key = string.Concat(_prefix, "health:{", Tag(businessId), "}");
        return (key, key + ":probe");
    }

    /// <summary>The suppression list of one business (the addresses are the hash's fields: listing them is its purpose).</summary>
    public RedisKey Suppression(string businessId) => string.Concat(_prefix, "suppress:{", Tag(businessId), "}");

    /// <summary>The first-sign-in keys of one business, in the slot of its breaker.</summary>
    public (RedisKey SignedIn, RedisKey Claim) FirstSignIn(string businessId)
    {
        var key = string.Concat(_prefix, "health:{", Tag(businessId), "}");
        return (key + ":signed-in", key + ":first-sign-in");
    }

    /// <summary>The first 96 bits of SHA-256 in lower-case hex: collisions are out of reach for any fleet.</summary>
    internal static string Tag(string identifier)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        var length = Encoding.UTF8.GetMaxByteCount(identifier.Length);
        var bytes = length <= 512 ? stackalloc byte[length] : new byte[length];
        var written = Encoding.UTF8.GetBytes(identifier, bytes);
        SHA256.HashData(bytes[..written], hash);
        return Convert.ToHexStringLower(hash[..HashBytes]);
    }
}
