namespace PetSitter.Email;

/// <summary>
/// A mail provider's known send limits and the SMTP hosts that identify it: data, with its source and
/// whether the figures come from the provider itself. Override single fields through
/// <see cref="SmtpAccountSettings.Limits"/>.
/// </summary>
public sealed class ProviderPreset
{
    internal ProviderPreset(string name, IReadOnlyList<string> hosts, SendLimits limits, string source, bool isVerified, string notes)
    {
        Name = name;
        Hosts = hosts;
        Limits = limits;
        Source = source;
        IsVerified = isVerified;
        Notes = notes;
    }

    /// <summary>Gets the preset's name, as set in <see cref="SmtpAccountSettings.Provider"/>, for example <c>Gmail</c>.</summary>
    public string Name { get; }

    /// <summary>
    /// Gets the provider's well-known SMTP host names, aliases included (compared without regard to case); detection
    /// also recognises the provider's other servers by their domain.
    /// </summary>
    public IReadOnlyList<string> Hosts { get; }

    /// <summary>Gets the provider's limits; unknown ones are <see langword="null"/>.</summary>
    public SendLimits Limits { get; }

    /// <summary>Gets where the figures come from.</summary>
    public string Source { get; }

    /// <summary>
    /// Gets whether the figures come from the provider's own published pages; <see langword="false"/> when
    /// only third-party or anecdotal sources were found (check them against your account).
    /// </summary>
    public bool IsVerified { get; }

    /// <summary>Gets what the figures leave out, choices made where sources disagree, and when to override.</summary>
    public string Notes { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Name}: {Limits}";
}
