using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace PetSitter.Email;

/// <summary>
/// A Lua script run by its SHA-1 (<c>EVALSHA</c>: a few bytes on the wire instead of the whole text), falling
/// back to <c>EVAL</c>, which also caches it, the first time a server has not seen it (after a restart or a
/// failover). Works on a cluster too, unlike a script loaded into one server ahead of time.
/// </summary>
internal sealed class RedisScript
{
    public RedisScript(string text)
    {
        Text = text;
#pragma warning disable CA5350 // SHA-1 is how Redis names a script (EVALSHA), not a security measure.
        Hash = SHA1.HashData(Encoding.UTF8.GetBytes(text));
#pragma warning restore CA5350
    }

    public string Text { get; }

#pragma warning disable CA1819 // The client takes the hash as an array; nobody writes to it.
    public byte[] Hash { get; }
#pragma warning restore CA1819

    public async Task<RedisResult> EvaluateAsync(IDatabase database, RedisKey[] keys, RedisValue[]? values = null)
    {
        try
        {
            return await database.ScriptEvaluateAsync(Hash, keys, values).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            return await database.ScriptEvaluateAsync(Text, keys, values).ConfigureAwait(false);
        }
    }
}
