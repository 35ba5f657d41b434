namespace PetSitter.Email;

/// <summary>Options of the pickup-directory native mailer, which writes each native message as one <c>.eml</c> file.</summary>
public sealed class PickupDirectoryOptions
{
    /// <summary>
    /// Gets or sets the directory the <c>.eml</c> files are written to; created when missing.
    /// Default: <c>petsitter-email/pickup</c> under the system's temporary directory.
    /// </summary>
    public string Directory { get; set; } = NativeConstants.DefaultPickupDirectory;
}
