using Microsoft.Extensions.Options;

namespace PetSitter.Email;

internal sealed class AccountHealthOptionsValidator : IValidateOptions<AccountHealthOptions>
{
    public ValidateOptionsResult Validate(string? name, AccountHealthOptions options)
    {
        const string Prefix = nameof(AccountHealthOptions) + ".";
        var errors = new List<string>();
        PetSitterEmailOptionsValidator.CheckRange(errors, Prefix + nameof(options.CredentialProbeInterval), options.CredentialProbeInterval, TimeSpan.FromMinutes(1), TimeSpan.FromDays(7));
        PetSitterEmailOptionsValidator.CheckRange(errors, Prefix + nameof(options.InitialProbeInterval), options.InitialProbeInterval, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        PetSitterEmailOptionsValidator.CheckRange(errors, Prefix + nameof(options.MaxProbeInterval), options.MaxProbeInterval, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        if (options.MaxProbeInterval < options.InitialProbeInterval)
        {
            errors.Add($"{Prefix}{nameof(options.MaxProbeInterval)} {options.MaxProbeInterval} is shorter than {nameof(options.InitialProbeInterval)} {options.InitialProbeInterval}: make it at least as long.");
        }

        PetSitterEmailOptionsValidator.CheckRange(errors, Prefix + nameof(options.DefaultThrottleDuration), options.DefaultThrottleDuration, TimeSpan.FromMinutes(1), TimeSpan.FromDays(1));
        PetSitterEmailOptionsValidator.CheckRange(errors, Prefix + nameof(options.ProbeTimeout), options.ProbeTimeout, TimeSpan.FromSeconds(10), TimeSpan.FromHours(1));
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
