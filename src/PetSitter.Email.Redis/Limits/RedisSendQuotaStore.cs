using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace PetSitter.Email;

/// <summary>
/// The <see cref="ISendQuotaStore"/> shared by every instance: each check is one atomic Lua script over the
/// account's hash (all windows at once), with the guarantees of the in-memory store. While Redis cannot be
/// reached, <see cref="RedisEmailOptions.FailureMode"/> decides: this process's own counts, or a refusal.
/// </summary>
internal sealed partial class RedisSendQuotaStore : ISendQuotaStore
{
    /// <summary>An untouched history is forgotten after 30 days, as in the in-memory store (the mailbox warms up again).</summary>
    private const long HistoryKeptMs = 30L * 24 * 60 * 60 * 1000;

    private readonly RedisConnection _connection;
    private readonly TimeProvider _time;
    private readonly RedisOutageCounter _outages;
    private readonly ILogger<RedisSendQuotaStore> _logger;
    private readonly InMemorySendQuotaStore _local;
    private int _inOutage;

    public RedisSendQuotaStore(RedisConnection connection, TimeProvider time, RedisOutageCounter outages, ILogger<RedisSendQuotaStore> logger)
    {
        _connection = connection;
        _time = time;
        _outages = outages;
        _logger = logger;
        _local = new InMemorySendQuotaStore(time);
    }

    /// <summary>Gets the in-process store that counts while Redis is down and the mode is fail-open.</summary>
    internal InMemorySendQuotaStore Local => _local;

    public ValueTask<QuotaDecision> TryAcquireAsync(string accountKey, SendLimits limits, int recipients, CancellationToken cancellationToken = default) =>
        DecideAsync(QuotaScripts.Acquire, accountKey, limits, recipients, cancellationToken);

    public ValueTask<QuotaDecision> PeekAsync(string accountKey, SendLimits limits, int recipients, CancellationToken cancellationToken = default) =>
        DecideAsync(QuotaScripts.Peek, accountKey, limits, recipients, cancellationToken);

    public async ValueTask MarkExhaustedAsync(string accountKey, DateTimeOffset until, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(accountKey);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        cancellationToken.ThrowIfCancellationRequested();

        // Kept here as well: if Redis goes away, this process still honours what the provider said.
        _local.MarkExhausted(accountKey, until, reason);
        try
        {
            var database = await _connection.GetDatabaseAsync().ConfigureAwait(false);
            await QuotaScripts.MarkExhausted.EvaluateAsync(database,
                [_connection.Keys.Quota(accountKey)],
                [_time.GetUtcNow().ToUnixTimeMilliseconds(), CeilingMs(until), reason]).ConfigureAwait(false);
            Recovered();
        }
        catch (Exception ex) when (RedisOutage.Is(ex))
        {
            Failed(ex, _connection.Options.FailureMode);
            _outages.CountLimits(_connection.Options.FailureMode);
        }
    }

    public async ValueTask<QuotaSnapshot?> GetAsync(string accountKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(accountKey);
        cancellationToken.ThrowIfCancellationRequested();
        var asOf = _time.GetUtcNow();
        try
        {
            var database = await _connection.GetDatabaseAsync().ConfigureAwait(false);
            var result = await QuotaScripts.Snapshot.EvaluateAsync(database,
                [_connection.Keys.Quota(accountKey)],
                [asOf.ToUnixTimeMilliseconds()]).ConfigureAwait(false);
            Recovered();
            if (result.IsNull)
            {
                return null;
            }

            var reply = (RedisResult[])result!;
            var now = (long)reply[0];
            var hold = (long)reply[1];
            var held = hold > now;
            return new QuotaSnapshot
            {
                AsOf = asOf,
                MessagesLastSecond = Count(reply[3]),
                MessagesLastMinute = Count(reply[4]),
                MessagesLastHour = Count(reply[5]),
                MessagesLastDay = Count(reply[6]),
                RecipientsLastDay = Count(reply[7]),
                ExhaustedUntil = held ? DateTimeOffset.FromUnixTimeMilliseconds(hold) : null,
                ExhaustedReason = held ? (string?)reply[2] : null,
            };
        }
        catch (Exception ex) when (RedisOutage.Is(ex))
        {
            Failed(ex, _connection.Options.FailureMode);
            return _local.Get(accountKey);
        }
    }

    public async ValueTask<DateTimeOffset?> GetHistoryStartAsync(string accountKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(accountKey);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            var database = await _connection.GetDatabaseAsync().ConfigureAwait(false);
            var result = await QuotaScripts.HistoryStart.EvaluateAsync(database,
                [_connection.Keys.QuotaHistory(accountKey)],
                [_time.GetUtcNow().ToUnixTimeMilliseconds(), HistoryKeptMs]).ConfigureAwait(false);
            Recovered();
            return DateTimeOffset.FromUnixTimeMilliseconds((long)result);
        }
        catch (Exception ex) when (RedisOutage.Is(ex))
        {
            // This process's own history: at worst a mailbox warms up again after an outage, which errs towards caution.
            Failed(ex, _connection.Options.FailureMode);
            return await _local.GetHistoryStartAsync(accountKey, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask<QuotaDecision> DecideAsync(RedisScript script, string accountKey, SendLimits limits, int recipients, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(accountKey);
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentOutOfRangeException.ThrowIfLessThan(recipients, 1);
        cancellationToken.ThrowIfCancellationRequested();
        if (recipients > limits.RecipientsPerMessage || recipients > limits.RecipientsPerDay)
        {
            return QuotaDecision.Refuse(LimitWindow.RecipientsPerMessage, TimeSpan.Zero);
        }

        try
        {
            var database = await _connection.GetDatabaseAsync().ConfigureAwait(false);
            var result = await script.EvaluateAsync(database,
                [_connection.Keys.Quota(accountKey)],
                [
                    _time.GetUtcNow().ToUnixTimeMilliseconds(),
                    recipients,
                    limits.MessagesPerSecond ?? 0,
                    limits.MessagesPerMinute ?? 0,
                    limits.MessagesPerHour ?? 0,
                    limits.MessagesPerDay ?? 0,
                    limits.RecipientsPerDay ?? 0,
                ]).ConfigureAwait(false);
            Recovered();
            var reply = (RedisResult[])result!;
            var window = (LimitWindow)(int)reply[0];
            return window == LimitWindow.None
                ? QuotaDecision.Allow()
                : QuotaDecision.Refuse(window, TimeSpan.FromMilliseconds(Math.Max(0, (long)reply[1])));
        }
        catch (Exception ex) when (RedisOutage.Is(ex))
        {
            var mode = _connection.Options.FailureMode;
            Failed(ex, mode);
            _outages.CountLimits(mode);
            if (mode != RedisFailureMode.FailOpen)
            {
                return QuotaDecision.Refuse(LimitWindow.StoreUnavailable, _connection.Options.FailClosedRetryAfter);
            }

            return ReferenceEquals(script, QuotaScripts.Peek)
                ? _local.Peek(accountKey, limits, recipients)
                : _local.TryAcquire(accountKey, limits, recipients);
        }
    }

    /// <summary>A hold never ends early because of rounding.</summary>
    private static long CeilingMs(DateTimeOffset time) =>
        (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond;

    private static int? Count(RedisResult value) => (long)value is var count && count >= 0 ? (int)count : null;

    private void Failed(Exception exception, RedisFailureMode mode)
    {
        if (Interlocked.Exchange(ref _inOutage, 1) == 0)
        {
            LogOutage(_logger, exception, mode);
        }
    }

    private void Recovered()
    {
        if (Volatile.Read(ref _inOutage) == 1 && Interlocked.Exchange(ref _inOutage, 0) == 1)
        {
            LogRecovered(_logger);
        }
    }

    [LoggerMessage(EventId = RedisLogEvents.Limits.Outage, Level = LogLevel.Warning, Message = "Redis cannot be reached for send limits: {Mode} until it answers again")]
    private static partial void LogOutage(ILogger logger, Exception exception, RedisFailureMode mode);

    [LoggerMessage(EventId = RedisLogEvents.Limits.Recovered, Level = LogLevel.Information, Message = "Redis answers again: send limits are shared across instances once more")]
    private static partial void LogRecovered(ILogger logger);
}
