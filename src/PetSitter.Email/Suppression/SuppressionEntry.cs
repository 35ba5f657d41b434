namespace PetSitter.Email;

/// <summary>One address on a business's suppression list: why it is there and since when.</summary>
public sealed class SuppressionEntry
{
    /// <summary>Creates an entry.</summary>
    /// <param name="address">The suppressed address, as stored (lower case, see <see cref="ISuppressionList"/>).</param>
    /// <param name="reason">Why it is suppressed.</param>
    /// <param name="suppressedAt">When it was added.</param>
    /// <exception cref="ArgumentException"><paramref name="address"/> is null, empty or white space.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reason"/> is not a defined reason.</exception>
    public SuppressionEntry(string address, SuppressionReason reason, DateTimeOffset suppressedAt)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(address);
        if (!Enum.IsDefined(reason))
        {
            throw new ArgumentOutOfRangeException(nameof(reason), reason, "Use SuppressionReason.Unsubscribed, Complained or HardBounce.");
        }

        Address = address;
        Reason = reason;
        SuppressedAt = suppressedAt;
    }

    /// <summary>Gets the suppressed address (lower case).</summary>
    public string Address { get; }

    /// <summary>Gets why the address is suppressed.</summary>
    public SuppressionReason Reason { get; }

    /// <summary>Gets when the address was added (the first time: adding it again changes nothing).</summary>
    public DateTimeOffset SuppressedAt { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Address}: {Reason} since {SuppressedAt:O}";
}
