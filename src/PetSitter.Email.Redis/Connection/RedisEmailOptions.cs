using System.ComponentModel.DataAnnotations;
using StackExchange.Redis;

namespace PetSitter.Email;

/// <summary>
/// Options of the Redis stores (send limits, account health, deferred mail), set with
/// <c>.UseRedis(options => ...)</c> and validated at start.
/// </summary>
/// <remarks>Set exactly one of <see cref="ConnectionString"/> and <see cref="ConnectionFactory"/>.</remarks>
public sealed class RedisEmailOptions
{
    /// <summary>The key prefix used when none is set.</summary>
    public const string DefaultKeyPrefix = RedisConstants.DefaultKeyPrefix;

    /// <summary>
    /// Gets or sets the StackExchange.Redis configuration string, for example <c>localhost:6379</c> or
    /// <c>redis.internal:6380,ssl=true,password=...</c>. The library connects on first use, never fails
    /// start-up because Redis is down, and sets <c>abortConnect=false</c>, a fail-fast backlog and
    /// <see cref="OperationTimeout"/> unless the string sets them. Default: <see langword="null"/>.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// Gets or sets a factory for a connection the app manages itself (shared with its cache, say). The
    /// library calls it once, on first use, and never disposes what it returns. Prefer a connection with
    /// <c>AbortOnConnectFail = false</c> and <c>BacklogPolicy.FailFast</c>, so an outage is noticed at once
    /// rather than after a timeout. Default: <see langword="null"/>.
    /// </summary>
    public Func<IServiceProvider, IConnectionMultiplexer>? ConnectionFactory { get; set; }

    /// <summary>
    /// Gets or sets the Redis database number, or -1 for the connection's default. Range -1 to 15.
    /// Default: -1.
    /// </summary>
    [Range(-1, 15)]
    public int Database { get; set; } = RedisConstants.DefaultDatabase;

    /// <summary>
    /// Gets or sets the prefix of every key the library writes, so several apps or environments can share
    /// one Redis. 1-64 characters, no white space or braces (braces mark cluster hash tags).
    /// Default: <c>petsitter-email:</c>.
    /// </summary>
    public string KeyPrefix { get; set; } = DefaultKeyPrefix;

    /// <summary>
    /// Gets or sets what happens while Redis cannot be reached; see <see cref="RedisFailureMode"/> and
    /// docs/scale-out.md for what each costs. Default: <see cref="RedisFailureMode.FailClosed"/>, because an
    /// exceeded provider limit costs the owner (mail refused for up to a day, or a mailbox restricted until
    /// someone acts) while failing closed costs the platform a few native sends.
    /// </summary>
    [EnumDataType(typeof(RedisFailureMode), ErrorMessage = "{0} is not a failure mode: use FailOpen or FailClosed.")]
    public RedisFailureMode FailureMode { get; set; } = RedisConstants.DefaultFailureMode;

    /// <summary>
    /// Gets or sets, when failing closed, how long a refused message is told to wait before the account is
    /// tried again (the deferral time of mail that waits). Range 1 second - 1 hour. Default: 1 minute.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan FailClosedRetryAfter { get; set; } = RedisConstants.DefaultFailClosedRetryAfter;

    /// <summary>
    /// Gets or sets how long an operation may wait for Redis before it counts as an outage, when the library
    /// builds the connection from <see cref="ConnectionString"/>. Range 100 ms - 1 minute. Default: 2 seconds.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.1000000", "00:01:00")]
    public TimeSpan OperationTimeout { get; set; } = RedisConstants.DefaultOperationTimeout;

    /// <summary>
    /// Gets or sets how long an instance holds the deferred emails it took before another instance may take
    /// them (because the first stopped or crashed). A batch must be settled within it: keep it well above
    /// <c>DeferredBatchSize</c> times the time one send can take. Range 10 seconds - 1 day. Default: 15 minutes.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00")]
    public TimeSpan DeferredLeaseDuration { get; set; } = RedisConstants.DefaultDeferredLeaseDuration;

    /// <summary>
    /// Gets or sets how many times a deferred email may be taken and then lose its lease (its instance
    /// stopped before settling it) before it is moved to the dead letters instead of being handed out again,
    /// so a message that crashes the app cannot crash every instance in turn. Range 1-100. Default: 3.
    /// </summary>
    [Range(1, 100)]
    public int MaxLeaseExpiries { get; set; } = RedisConstants.DefaultMaxLeaseExpiries;

    /// <summary>
    /// Gets or sets how long an account's breaker state is kept after its last change when nobody sends for
    /// the business, so idle accounts cost nothing. An expired state is a closed breaker: at worst one more
    /// sign-in attempt. Range 1 hour - 30 days. Default: 1 day.
    /// </summary>
    [Range(typeof(TimeSpan), "01:00:00", "30.00:00:00")]
    public TimeSpan HealthRetention { get; set; } = RedisConstants.DefaultHealthRetention;

    /// <summary>
    /// Gets or sets how long the other instances wait for the one instance that signs in first with an
    /// account's new settings (a new password, say), before one of them takes its place. Until that first
    /// sign-in succeeds somewhere, only one instance tries the settings, so a wrong password costs the fleet
    /// one refused sign-in; the others hold their sends for its verdict (they are told at once when it comes)
    /// and then follow it. Keep it above the time a sign-in takes (connect, TLS, AUTH): a claimant slower than
    /// this is joined by a second instance. It bounds the extra wait of a send, which happens only for the
    /// first use of new settings. Range 1 second - 5 minutes. Default: 15 seconds.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan FirstSignInWait { get; set; } = RedisConstants.DefaultFirstSignInWait;

    /// <inheritdoc />
    public override string ToString() =>
        $"Redis {(ConnectionFactory is not null ? "(app's connection)" : RedactPassword(ConnectionString))}, prefix '{KeyPrefix}', {FailureMode}";

    private static string RedactPassword(string? connectionString)
    {
        if (string.IsNullOrEmpty(connectionString))
        {
            return "(not set)";
        }

        var parts = connectionString.Split(',');
        for (var i = 0; i < parts.Length; i++)
        {
            if (parts[i].TrimStart().StartsWith("password=", StringComparison.OrdinalIgnoreCase))
            {
                parts[i] = "password=***";
            }
        }

        return string.Join(',', parts);
    }
}
