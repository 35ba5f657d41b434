using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace PetSitter.Email;

/// <summary>
/// The durable <see cref="IDeferredEmailQueue"/>: deferred emails (envelope, MIME bytes, metadata) live in
/// Redis, survive restarts and are shared by every instance. Taking due emails claims them under a lease
/// (one atomic script), so each is handed to one instance; one whose lease runs out (its instance died) is
/// handed out again, and after <see cref="RedisEmailOptions.MaxLeaseExpiries"/> such losses it becomes a dead
/// letter. Putting a claimed email back updates the same entry, so its Message-ID and history stay one.
/// </summary>
/// <remarks>
/// While Redis cannot be reached, writes (new deferrals, releases, acknowledgements) are held in this
/// process's memory in order and written at the next successful call; they are lost only if the process
/// stops before Redis answers again.
/// </remarks>
internal sealed partial class RedisDeferredEmailQueue : IDeferredEmailQueue, IDeadLetterStore, IAccountHeldMail
{
    private const string LeaseLostReason =
        "The email was taken %d times by instances that stopped before finishing it; it may be making the app crash, so it is no longer tried automatically.";

    private readonly RedisConnection _connection;
    private readonly TimeProvider _time;
    private readonly RedisOutageCounter _outages;
    private readonly ILogger<RedisDeferredEmailQueue> _logger;
    private readonly RedisKey[] _keys;
    private readonly ConcurrentQueue<PendingWrite> _pending = new();
    private readonly DeferredQueueMetrics? _metrics;
    private int _replaying;
    private int _lastLength = -1;

    public RedisDeferredEmailQueue(RedisConnection connection, TimeProvider time, RedisOutageCounter outages, ILogger<RedisDeferredEmailQueue> logger, DeferredQueueMetrics? metrics = null)
    {
        _metrics = metrics;

        // The gauge reads the length found at the last poll: a metrics export must not wait on Redis.
        metrics?.ObserveLength("redis", () => Volatile.Read(ref _lastLength) is >= 0 and var length ? length : null);
        _connection = connection;
        _time = time;
        _outages = outages;
        _logger = logger;
        var keys = connection.Keys;
        _keys = [keys.DeferredDue, keys.DeferredLeases, keys.DeferredClaims, keys.DeferredItems, keys.DeferredExpiries, keys.DeadLetters, keys.DeadItems, keys.DeadInfo, keys.DeferredHeld];
    }

    /// <summary>Gets how many writes wait in memory for Redis to answer again.</summary>
    internal int PendingWrites => _pending.Count;

    public async ValueTask EnqueueAsync(DeferredEmail item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        cancellationToken.ThrowIfCancellationRequested();
        var stored = Serialize(item, cancellationToken);
        var due = item.DueAt.ToUnixTimeMilliseconds();
        var fingerprint = item.AccountFingerprint ?? string.Empty;
        var write = item.QueueReceipt is RedisQueueReceipt receipt
            ? new PendingWrite(QueueScripts.Release, [receipt.Id, receipt.Token, due, stored, item.BusinessId, fingerprint])
            : new PendingWrite(QueueScripts.Enqueue, [NewId(item.BusinessId), due, stored, item.BusinessId, fingerprint]);
        await WriteAsync(write).ConfigureAwait(false);
    }

    public async ValueTask AcknowledgeAsync(DeferredEmail item, SendOutcome outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(outcome);
        if (item.QueueReceipt is not RedisQueueReceipt receipt)
        {
            return;
        }

        var dead = outcome.Status == SendStatus.Failed;
        // Stryker disable once Conditional,String : the script reads the reason and the email only for a dead letter, and a failed outcome always has a reason (SendOutcome.Failed refuses a blank one).
        var reason = dead ? outcome.Reason ?? "The email could not be sent." : string.Empty;
        // Stryker disable once Conditional,String : the script reads the stored email only for a dead letter.
        var stored = dead ? Serialize(item, CancellationToken.None) : string.Empty;
        var write = new PendingWrite(QueueScripts.Acknowledge, [receipt.Id, receipt.Token, dead ? 1 : 0, NowMs(), reason, stored]);
        await WriteAsync(write).ConfigureAwait(false);
        if (dead)
        {
            LogDeadLetter(_logger, receipt.Id, item.BusinessId, item.MessageId, reason);
        }
    }

    public async ValueTask<IReadOnlyList<DeferredEmail>> TakeDueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        cancellationToken.ThrowIfCancellationRequested();
        var database = await _connection.GetDatabaseAsync().ConfigureAwait(false);
        await ReplayAsync(database).ConfigureAwait(false);

        var token = NewId();
        var reply = (RedisResult[])(await QueueScripts.Claim.EvaluateAsync(database,
            _keys,
            [now.ToUnixTimeMilliseconds(), max, (long)_connection.Options.DeferredLeaseDuration.TotalMilliseconds, token, _connection.Options.MaxLeaseExpiries, LeaseLostReason]).ConfigureAwait(false))!;
        if (_metrics is { IsCollected: true })
        {
            // One more round trip per poll, and only while someone collects the gauge.
            Volatile.Write(ref _lastLength, (int)await QueueScripts.Count.EvaluateAsync(database, _keys).ConfigureAwait(false));
        }

        if (reply.Length == 0)
        {
            return [];
        }

        // Stryker disable once Arithmetic : a list's starting capacity changes no content.
        var taken = new List<DeferredEmail>(reply.Length / 2);
        for (var i = 0; i < reply.Length; i += 2)
        {
            var id = (string)reply[i]!;
            var stored = JsonSerializer.Deserialize((string)reply[i + 1]!, RedisJsonContext.Default.StoredDeferredEmail)!;
            taken.Add(stored.ToDeferredEmail(new RedisQueueReceipt(id, token)));
        }

        return taken;
    }

    public async ValueTask<int> CountAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var database = await _connection.GetDatabaseAsync().ConfigureAwait(false);
        return (int)await QueueScripts.Count.EvaluateAsync(database, _keys).ConfigureAwait(false);
    }

    public async ValueTask<IReadOnlyList<DeadLetter>> ListAsync(int max = 100, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        cancellationToken.ThrowIfCancellationRequested();
        var database = await _connection.GetDatabaseAsync().ConfigureAwait(false);
        var reply = (RedisResult[])(await QueueScripts.ListDead.EvaluateAsync(database, _keys, [max]).ConfigureAwait(false))!;
        // Stryker disable once Arithmetic : a list's starting capacity changes no content.
        var letters = new List<DeadLetter>(reply.Length / 3);

        // Stryker disable once Equality : the script returns whole triples, so < and <= stop at the same index.
        for (var i = 0; i + 2 < reply.Length; i += 3)
        {
            var stored = (string?)reply[i + 1];
            var info = (string?)reply[i + 2];
            // Stryker disable once Logical : the scripts write a dead letter's email and reason together and remove them together, so one is never missing alone.
            if (string.IsNullOrEmpty(stored) || string.IsNullOrEmpty(info))
            {
                continue;
            }

            var email = JsonSerializer.Deserialize(stored, RedisJsonContext.Default.StoredDeferredEmail)!.ToDeferredEmail(receipt: null);
            var why = JsonSerializer.Deserialize(info, RedisJsonContext.Default.StoredDeadLetterInfo)!;
            letters.Add(new DeadLetter((string)reply[i]!, email, why.Reason, DateTimeOffset.FromUnixTimeMilliseconds(why.DeadAtMs)));
        }

        return letters;
    }

    ValueTask<long> IDeadLetterStore.CountAsync(CancellationToken cancellationToken) => CountDeadAsync(cancellationToken);

    public async ValueTask<bool> RequeueAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        cancellationToken.ThrowIfCancellationRequested();
        var database = await _connection.GetDatabaseAsync().ConfigureAwait(false);
        var json = await database.HashGetAsync(_connection.Keys.DeadItems, id).ConfigureAwait(false);
        if (json.IsNullOrEmpty)
        {
            return false;
        }

        // A fresh start: tried from zero and timed from now, or the dispatcher would give up again at once.
        var stored = JsonSerializer.Deserialize((string)json!, RedisJsonContext.Default.StoredDeferredEmail)!;
        var now = _time.GetUtcNow();
        stored.Attempts = 0;
        stored.FirstDeferredAt = now;
        stored.DueAt = now;
        var requeued = (int)await QueueScripts.Requeue.EvaluateAsync(database,
            _keys,
            [id, now.ToUnixTimeMilliseconds(), JsonSerializer.Serialize(stored, RedisJsonContext.Default.StoredDeferredEmail)]).ConfigureAwait(false) == 1;
        if (requeued)
        {
            LogRequeued(_logger, id, stored.BusinessId);
        }

        return requeued;
    }

    public async ValueTask<bool> DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        cancellationToken.ThrowIfCancellationRequested();
        var database = await _connection.GetDatabaseAsync().ConfigureAwait(false);
        return (int)await QueueScripts.DeleteDead.EvaluateAsync(database, _keys, [id]).ConfigureAwait(false) == 1;
    }

    public async ValueTask<IReadOnlyList<HeldAccount>> HeldAccountsAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var database = await _connection.GetDatabaseAsync().ConfigureAwait(false);
        var reply = (RedisResult[])(await QueueScripts.ListHeld.EvaluateAsync(database, _keys, [now.ToUnixTimeMilliseconds()]).ConfigureAwait(false))!;
        // Stryker disable once Arithmetic : a list's starting capacity changes no content.
        var held = new List<HeldAccount>(reply.Length / 2);

        // Stryker disable once Equality : the script returns whole pairs, so < and <= stop at the same index.
        for (var i = 0; i + 1 < reply.Length; i += 2)
        {
            held.Add(new HeldAccount((string)reply[i]!, (string)reply[i + 1]!));
        }

        return held;
    }

    public async ValueTask<int> ReleaseAsync(string businessId, string currentFingerprint, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(businessId);
        ArgumentNullException.ThrowIfNull(currentFingerprint);
        cancellationToken.ThrowIfCancellationRequested();
        var database = await _connection.GetDatabaseAsync().ConfigureAwait(false);
        return (int)await QueueScripts.ReleaseHeld.EvaluateAsync(database,
            _keys,
            [businessId, IdPrefix(businessId), currentFingerprint, now.ToUnixTimeMilliseconds()]).ConfigureAwait(false);
    }

    /// <summary>An id that starts with the business's key tag, so the business's entries can be found by id alone.</summary>
    // Stryker disable once String : the id only has to be unique; any Guid format is.
    private static string NewId(string businessId) => IdPrefix(businessId) + Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture);

    // Stryker disable once String : the tag is a fixed-length hash, so no business's tag starts another's, with or without the colon.
    private static string IdPrefix(string businessId) => RedisKeys.Tag(businessId) + ":";

    // Stryker disable once String : a claim token only has to be unique; any Guid format is.
    private static string NewId() => Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture);

    private static string Serialize(DeferredEmail item, CancellationToken cancellationToken) =>
        JsonSerializer.Serialize(StoredDeferredEmail.From(item, cancellationToken), RedisJsonContext.Default.StoredDeferredEmail);

    private async ValueTask<long> CountDeadAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var database = await _connection.GetDatabaseAsync().ConfigureAwait(false);
        return await database.SortedSetLengthAsync(_connection.Keys.DeadLetters).ConfigureAwait(false);
    }

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Writes now, after anything still held from an outage; holds the write in memory while Redis is away.</summary>
    private async ValueTask WriteAsync(PendingWrite write)
    {
        try
        {
            var database = await _connection.GetDatabaseAsync().ConfigureAwait(false);
            await ReplayAsync(database).ConfigureAwait(false);
            if (!_pending.IsEmpty)
            {
                // Still behind: keep the order.
                Hold(write, exception: null);
                return;
            }

            await write.Script.EvaluateAsync(database, _keys, write.Arguments).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisOutage.Is(ex))
        {
            Hold(write, ex);
        }
    }

    private void Hold(PendingWrite write, Exception? exception)
    {
        _pending.Enqueue(write);
        _outages.CountDeferred();
        if (exception is not null)
        {
            LogHeld(_logger, exception, _pending.Count);
        }
    }

    /// <summary>Writes what an outage left in memory, in order; stops (and leaves the rest) at the first failure.</summary>
    private async ValueTask ReplayAsync(IDatabase database)
    {
        if (_pending.IsEmpty)
        {
            return;
        }

        // One replay at a time keeps the order; a caller that finds one running sees the queue non-empty
        // and holds its own write behind it.
        if (Interlocked.Exchange(ref _replaying, 1) == 1)
        {
            return;
        }

        try
        {
            var written = 0;
            while (_pending.TryPeek(out var write))
            {
                await write.Script.EvaluateAsync(database, _keys, write.Arguments).ConfigureAwait(false);
                _pending.TryDequeue(out _);
                written++;
            }

            // Stryker disable once Equality : nothing is written only when the first write threw (which skips this) or another replay emptied the queue in the same instant, a race no caller can arrange.
            if (written > 0)
            {
                LogReplayed(_logger, written);
            }
        }
        finally
        {
            Volatile.Write(ref _replaying, 0);
        }
    }

    [LoggerMessage(EventId = RedisLogEvents.Deferral.Held, Level = LogLevel.Warning, Message = "Redis cannot be reached for deferred mail: the write is held in memory ({Pending} waiting) until it answers again")]
    private static partial void LogHeld(ILogger logger, Exception exception, int pending);

    [LoggerMessage(EventId = RedisLogEvents.Deferral.Replayed, Level = LogLevel.Information, Message = "Redis answers again: {Written} deferred-mail write(s) held in memory were written")]
    private static partial void LogReplayed(ILogger logger, int written);

    [LoggerMessage(EventId = RedisLogEvents.Deferral.DeadLetter, Level = LogLevel.Warning, Message = "Deferred email {Id} of business {BusinessId} (Message-ID {MessageId}) is now a dead letter: {Reason}")]
    private static partial void LogDeadLetter(ILogger logger, string id, string businessId, string messageId, string reason);

    [LoggerMessage(EventId = RedisLogEvents.Deferral.Requeued, Level = LogLevel.Information, Message = "Dead letter {Id} of business {BusinessId} was put back in the deferred queue")]
    private static partial void LogRequeued(ILogger logger, string id, string businessId);

    /// <summary>Which entry a taken email is, and which claim took it.</summary>
    private sealed record RedisQueueReceipt(string Id, string Token);

    private sealed record PendingWrite(RedisScript Script, RedisValue[] Arguments);
}
