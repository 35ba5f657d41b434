using Microsoft.Extensions.Options;

namespace PetSitter.Email.Native;

internal sealed class NativeSmtpRelayOptionsValidator : IValidateOptions<NativeSmtpRelayOptions>
{
    public ValidateOptionsResult Validate(string? name, NativeSmtpRelayOptions options)
    {
        // The relay is an SMTP account like any other: reuse its rules, with a placeholder sender
        // (the platform address is checked with NativeIdentityOptions).
        var errors = options.ToAccount("relay@example.com").Validate(nameof(NativeSmtpRelayOptions) + ".");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
