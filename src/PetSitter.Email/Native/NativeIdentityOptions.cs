using System.ComponentModel.DataAnnotations;

namespace PetSitter.Email;

/// <summary>
/// How native mail presents itself: the platform's From address and the display name built from the
/// business's name. Set through <see cref="PetSitterEmailOptions.Native"/>.
/// </summary>
public sealed class NativeIdentityOptions
{
    /// <summary>The token in <see cref="DisplayNameFormat"/> replaced by the business's name.</summary>
    public const string BusinessToken = NativeConstants.BusinessToken;

    /// <summary>
    /// Gets or sets the address the native channel sends from; it must be a plain mailbox.
    /// Default: <c>mailer@petsoftware.net</c>.
    /// </summary>
    [Required(ErrorMessage = "{0} is empty: set the platform's sender, for example mailer@petsoftware.net.")]
    [Mailbox(ErrorMessage = "{0} is not an email address: set the platform's sender, for example mailer@petsoftware.net.")]
    public string PlatformFromAddress { get; set; } = NativeConstants.DefaultPlatformFromAddress;

    /// <summary>
    /// Gets or sets the display name of native mail, one line containing <c>{Business}</c>, which is
    /// replaced by the business's name. Default: <c>{Business} via Pet Sitter Plus</c>.
    /// </summary>
    [Required(ErrorMessage = DisplayNameFormatError)]
    [RegularExpression(@"[^\r\n]*\{Business\}[^\r\n]*", ErrorMessage = DisplayNameFormatError)]
    public string DisplayNameFormat { get; set; } = NativeConstants.DefaultDisplayNameFormat;

    private const string DisplayNameFormatError = "{0} must be one line containing {{Business}}, for example \"{{Business}} via Pet Sitter Plus\".";

    /// <summary>Formats the native display name for a business.</summary>
    /// <param name="businessName">The business's name.</param>
    /// <returns>The display name, for example "Paws and Claws via Pet Sitter Plus".</returns>
    public string FormatDisplayName(string businessName) =>
        DisplayNameFormat.Replace(BusinessToken, businessName, StringComparison.Ordinal);
}
