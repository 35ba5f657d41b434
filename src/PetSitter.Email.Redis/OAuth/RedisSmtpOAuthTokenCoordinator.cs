using System.Globalization;
using PetSitter.Email.OAuth;
using StackExchange.Redis;

namespace PetSitter.Email;

/// <summary>
/// One OAuth refresh per grant across the fleet: the access token kept in Redis until it is due for refresh (the key
/// expires then, before the token does), a <c>SET NX PX</c> lock per grant around the refresh, and its release published
/// so waiting instances read the new token at once. While Redis is down each instance refreshes on its own, as without Redis.
/// </summary>
internal sealed class RedisSmtpOAuthTokenCoordinator(RedisConnection connection, TimeProvider time) : ISmtpOAuthTokenCoordinator
{
    private const string ReleaseScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
        redis.call('PUBLISH', ARGV[2], ARGV[3])
        return 1
        """;

    private readonly RedisWakeups _wakeups = new(connection, static keys => keys.OAuthRefreshedChannel);

    public async ValueTask<SmtpOAuthSharedToken?> GetAsync(string grantId, CancellationToken cancellationToken)
    {
        try
        {
            var database = await connection.GetDatabaseAsync().ConfigureAwait(false);
            var value = (string?)await database.StringGetAsync(connection.Keys.OAuthToken(grantId)).ConfigureAwait(false);
            var separator = value?.IndexOf(':', StringComparison.Ordinal) ?? -1;
            if (value is null || separator <= 0 || !long.TryParse(value.AsSpan(0, separator), NumberStyles.None, CultureInfo.InvariantCulture, out var refreshAtMs))
            {
                return null;
            }

            return new SmtpOAuthSharedToken(value[(separator + 1)..], DateTimeOffset.FromUnixTimeMilliseconds(refreshAtMs));
        }
        catch (Exception ex) when (RedisOutage.Is(ex))
        {
            return null;
        }
    }

    public async ValueTask SetAsync(string grantId, SmtpOAuthSharedToken token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        var lifetime = token.RefreshAt - time.GetUtcNow();
        if (lifetime <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            var database = await connection.GetDatabaseAsync().ConfigureAwait(false);
            var value = string.Concat(token.RefreshAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture), ":", token.AccessToken);
            await database.StringSetAsync(connection.Keys.OAuthToken(grantId), value, lifetime).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisOutage.Is(ex))
        {
            // The other instances refresh on their own until Redis is back.
        }
    }

    public async ValueTask RemoveAsync(string grantId, CancellationToken cancellationToken)
    {
        try
        {
            var database = await connection.GetDatabaseAsync().ConfigureAwait(false);
            await database.KeyDeleteAsync(connection.Keys.OAuthToken(grantId)).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisOutage.Is(ex))
        {
            // The key expires before the token does.
        }
    }

    public async ValueTask<IAsyncDisposable?> TryLockAsync(string grantId, TimeSpan lease, CancellationToken cancellationToken)
    {
        var owner = Guid.NewGuid().ToString("N");
        try
        {
            var database = await connection.GetDatabaseAsync().ConfigureAwait(false);
            var taken = await database.StringSetAsync(connection.Keys.OAuthRefreshLock(grantId), owner, lease, When.NotExists).ConfigureAwait(false);
            return taken ? new Held(this, grantId, owner) : null;
        }
        catch (Exception ex) when (RedisOutage.Is(ex))
        {
            // Redis down: this instance refreshes alone, as it would without Redis.
            return new Held(null, grantId, owner);
        }
    }

    public async ValueTask WaitAsync(string grantId, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        var tag = RedisKeys.Tag(grantId);
        try
        {
            await _wakeups.SubscribeAsync().ConfigureAwait(false);

            // Registered before looking at the lock, so a release published in between is not missed.
            var released = _wakeups.For(tag);
            var database = await connection.GetDatabaseAsync().ConfigureAwait(false);
            var left = await database.KeyTimeToLiveAsync(connection.Keys.OAuthRefreshLock(grantId)).ConfigureAwait(false);
            if (left is not { } remaining)
            {
                return;
            }

            using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var elapsed = Task.Delay(remaining < maxWait ? remaining : maxWait, time, timer.Token);
            await Task.WhenAny(released.Task, elapsed).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            await timer.CancelAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisOutage.Is(ex))
        {
            // The caller tries the lock again, which succeeds locally while Redis is down.
        }
    }

    private async ValueTask ReleaseAsync(string grantId, string owner)
    {
        try
        {
            var database = await connection.GetDatabaseAsync().ConfigureAwait(false);
            await database.ScriptEvaluateAsync(ReleaseScript,
                [connection.Keys.OAuthRefreshLock(grantId)],
                [owner, connection.Keys.OAuthRefreshedChannel.ToString(), RedisKeys.Tag(grantId)]).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisOutage.Is(ex))
        {
            // The lock expires after its lease.
        }
    }

    public override string ToString() => "OAuth token coordination over Redis";

    private sealed class Held(RedisSmtpOAuthTokenCoordinator? coordinator, string grantId, string owner) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => coordinator?.ReleaseAsync(grantId, owner) ?? ValueTask.CompletedTask;
    }
}
