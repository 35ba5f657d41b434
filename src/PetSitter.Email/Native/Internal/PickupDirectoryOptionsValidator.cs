using Microsoft.Extensions.Options;

namespace PetSitter.Email.Native;

internal sealed class PickupDirectoryOptionsValidator : IValidateOptions<PickupDirectoryOptions>
{
    public ValidateOptionsResult Validate(string? name, PickupDirectoryOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Directory) || options.Directory.AsSpan().IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            return ValidateOptionsResult.Fail($"{nameof(PickupDirectoryOptions)}.{nameof(options.Directory)} '{options.Directory}' is not a directory path: set a writable directory for the .eml files.");
        }

        return ValidateOptionsResult.Success;
    }
}
