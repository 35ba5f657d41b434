namespace PetSitter.Email.Suppression;

/// <summary>The argument rules every <see cref="ISuppressionList"/> of the core shares.</summary>
internal static class SuppressionAddresses
{
    /// <summary>The stored form of <paramref name="address"/>: trimmed and lower case, after checking it is one plain mailbox.</summary>
    public static string Normalize(string address, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(address, parameterName);
        var trimmed = address.Trim();
        if (!EmailAddressRules.IsMailbox(trimmed))
        {
            throw new ArgumentException("The address must be one plain mailbox such as client@example.com (no display name, group or line break).", parameterName);
        }

        return trimmed.ToLowerInvariant();
    }

    public static void EnsureBusiness(string businessId, string parameterName) =>
        ArgumentException.ThrowIfNullOrWhiteSpace(businessId, parameterName);
}
