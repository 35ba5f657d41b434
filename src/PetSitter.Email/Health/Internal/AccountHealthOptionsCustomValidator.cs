using Microsoft.Extensions.Options;

namespace PetSitter.Email.Health;

/// <summary>The rule of <see cref="AccountHealthOptions"/> that spans two fields; the field rules are generated (<see cref="AccountHealthOptionsValidator"/>).</summary>
internal sealed class AccountHealthOptionsCustomValidator : IValidateOptions<AccountHealthOptions>
{
    public ValidateOptionsResult Validate(string? name, AccountHealthOptions options)
    {
        if (options.MaxProbeInterval < options.InitialProbeInterval)
        {
            return ValidateOptionsResult.Fail(
                $"{nameof(AccountHealthOptions)}.{nameof(options.MaxProbeInterval)} {options.MaxProbeInterval} is shorter than {nameof(options.InitialProbeInterval)} {options.InitialProbeInterval}: make it at least as long.");
        }

        return ValidateOptionsResult.Success;
    }
}
