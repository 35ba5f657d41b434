using System.Collections.Concurrent;

namespace PetSitter.Email.OAuth;

/// <summary>Keeps grants in memory, for tests and demos: they are gone when the process ends.</summary>
public sealed class InMemorySmtpOAuthGrantStore : ISmtpOAuthGrantStore
{
    private readonly ConcurrentDictionary<string, SmtpOAuthGrant> _grants = new(StringComparer.Ordinal);
    private int _saves;

    /// <summary>Gets how many times a grant was saved (a connect, or a rotated refresh token).</summary>
    public int Saves => Volatile.Read(ref _saves);

    /// <summary>Gets the grants stored now.</summary>
    public IReadOnlyCollection<SmtpOAuthGrant> Grants => [.. _grants.Values];

    /// <inheritdoc />
    public ValueTask<SmtpOAuthGrant?> GetAsync(string businessId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(businessId);
        return ValueTask.FromResult(_grants.TryGetValue(businessId, out var grant) ? grant : null);
    }

    /// <inheritdoc />
    public ValueTask SaveAsync(SmtpOAuthGrant grant, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grant);
        _grants[grant.BusinessId] = grant;
        Interlocked.Increment(ref _saves);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<bool> DeleteAsync(string businessId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(businessId);
        return ValueTask.FromResult(_grants.TryRemove(businessId, out _));
    }

    /// <inheritdoc />
    public override string ToString() => $"{_grants.Count} grant(s) in memory";
}
