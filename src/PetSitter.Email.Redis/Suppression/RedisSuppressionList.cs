using System.Globalization;
using MimeKit;
using StackExchange.Redis;

namespace PetSitter.Email;

/// <summary>
/// The <see cref="ISuppressionList"/> shared by every instance and kept across restarts: one Redis hash per business,
/// each address a field whose value is its reason and time. Adding is one <c>HSETNX</c>, so the first entry wins
/// whichever instance adds it. While Redis cannot be reached the calls throw: the send path then holds marketing
/// (deferred, checked again later) rather than mailing someone who unsubscribed, and the unsubscribe endpoint
/// answers 503 so the mailbox provider retries. There is no in-process fallback: an unsubscribe held in one
/// process's memory would be lost and unseen by the others.
/// </summary>
internal sealed class RedisSuppressionList(RedisConnection connection, TimeProvider time) : ISuppressionList
{
    public async ValueTask<bool> AddAsync(string businessId, string address, SuppressionReason reason, CancellationToken cancellationToken = default)
    {
        var key = Key(businessId);
        var field = Normalize(address);
        if (!Enum.IsDefined(reason))
        {
            throw new ArgumentOutOfRangeException(nameof(reason), reason, "Use SuppressionReason.Unsubscribed, Complained or HardBounce.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        var value = string.Create(CultureInfo.InvariantCulture, $"{(int)reason}:{time.GetUtcNow().ToUnixTimeMilliseconds()}");
        var database = await connection.GetDatabaseAsync().ConfigureAwait(false);
        return await database.HashSetAsync(key, field, value, When.NotExists).ConfigureAwait(false);
    }

    public async ValueTask<bool> RemoveAsync(string businessId, string address, CancellationToken cancellationToken = default)
    {
        var key = Key(businessId);
        var field = Normalize(address);
        cancellationToken.ThrowIfCancellationRequested();
        var database = await connection.GetDatabaseAsync().ConfigureAwait(false);
        return await database.HashDeleteAsync(key, field).ConfigureAwait(false);
    }

    public async ValueTask<SuppressionEntry?> FindAsync(string businessId, string address, CancellationToken cancellationToken = default)
    {
        var key = Key(businessId);
        var field = Normalize(address);
        cancellationToken.ThrowIfCancellationRequested();
        var database = await connection.GetDatabaseAsync().ConfigureAwait(false);
        var value = await database.HashGetAsync(key, field).ConfigureAwait(false);
        return value.IsNull ? null : Parse(field, value.ToString());
    }

    public async ValueTask<IReadOnlyList<SuppressionEntry>> ListAsync(string businessId, CancellationToken cancellationToken = default)
    {
        var key = Key(businessId);
        cancellationToken.ThrowIfCancellationRequested();
        var database = await connection.GetDatabaseAsync().ConfigureAwait(false);
        var fields = await database.HashGetAllAsync(key).ConfigureAwait(false);
        var entries = new List<SuppressionEntry>(fields.Length);
        foreach (var field in fields)
        {
            entries.Add(Parse(field.Name.ToString(), field.Value.ToString()));
        }

        entries.Sort(static (a, b) => string.CompareOrdinal(a.Address, b.Address));
        return entries;
    }

    private static SuppressionEntry Parse(string address, string value)
    {
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        var reason = (SuppressionReason)int.Parse(value.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture);
        var at = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture));
        return new SuppressionEntry(address, reason, at);
    }

    private RedisKey Key(string businessId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(businessId);
        return connection.Keys.Suppression(businessId);
    }

    /// <summary>The core's rule, restated on its public terms: one plain mailbox, compared trimmed and in lower case.</summary>
    private static string Normalize(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var trimmed = address.Trim();
        if (trimmed.Length == 0
            || trimmed.AsSpan().IndexOfAny('\r', '\n') >= 0
            || !MailboxAddress.TryParse(ParserOptions.Default, trimmed, out var mailbox)
            || !string.IsNullOrEmpty(mailbox.Name)
            || mailbox.Route.Count != 0
            || !mailbox.Address.Contains('@', StringComparison.Ordinal))
        {
            throw new ArgumentException("The address must be one plain mailbox such as client@example.com (no display name, group or line break).", nameof(address));
        }

        return trimmed.ToLowerInvariant();
    }
}
