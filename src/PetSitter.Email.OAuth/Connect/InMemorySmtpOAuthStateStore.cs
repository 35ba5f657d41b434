using System.Collections.Concurrent;

namespace PetSitter.Email.OAuth.Connect;

/// <summary>The process's used states, each dropped once it has expired anyway.</summary>
internal sealed class InMemorySmtpOAuthStateStore(TimeProvider time) : ISmtpOAuthStateStore
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _used = new(StringComparer.Ordinal);

    public ValueTask<bool> TryUseAsync(string stateId, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var (id, expiry) in _used)
        {
            if (expiry < now)
            {
                _used.TryRemove(id, out _);
            }
        }

        return ValueTask.FromResult(_used.TryAdd(stateId, expiresAt));
    }
}
