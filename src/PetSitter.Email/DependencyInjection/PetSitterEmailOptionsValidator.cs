using Microsoft.Extensions.Options;

namespace PetSitter.Email;

internal sealed class PetSitterEmailOptionsValidator : IValidateOptions<PetSitterEmailOptions>
{
    public ValidateOptionsResult Validate(string? name, PetSitterEmailOptions options)
    {
        var errors = new List<string>();
        const string Prefix = nameof(PetSitterEmailOptions) + ".";
        if (!EmailAddressRules.IsMailbox(options.PlatformFromAddress))
        {
            errors.Add($"{Prefix}{nameof(options.PlatformFromAddress)} '{options.PlatformFromAddress}' is not an email address: set the platform's sender, for example mailer@petsoftware.net.");
        }

        if (string.IsNullOrWhiteSpace(options.NativeDisplayNameFormat)
            || !options.NativeDisplayNameFormat.Contains(PetSitterEmailOptions.BusinessToken, StringComparison.Ordinal)
            || options.NativeDisplayNameFormat.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            errors.Add($"{Prefix}{nameof(options.NativeDisplayNameFormat)} '{options.NativeDisplayNameFormat}' must be one line containing {PetSitterEmailOptions.BusinessToken}, for example \"{{Business}} via Pet Sitter Plus\".");
        }

        if (options.MaxConnectionsPerAccount is < 1 or > 100)
        {
            errors.Add($"{Prefix}{nameof(options.MaxConnectionsPerAccount)} {options.MaxConnectionsPerAccount} is out of range: use 1-100 (3 suits Microsoft 365).");
        }

        CheckRange(errors, Prefix + nameof(options.SmtpTimeout), options.SmtpTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
        CheckRange(errors, Prefix + nameof(options.ConnectionIdleTimeout), options.ConnectionIdleTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        CheckRange(errors, Prefix + nameof(options.ConnectionWaitTimeout), options.ConnectionWaitTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
        if (options.SmtpRetryAttempts is < 0 or > 5)
        {
            errors.Add($"{Prefix}{nameof(options.SmtpRetryAttempts)} {options.SmtpRetryAttempts} is out of range: use 0-5 (0 turns retries off).");
        }

        CheckRange(errors, Prefix + nameof(options.SmtpRetryDelay), options.SmtpRetryDelay, TimeSpan.Zero, TimeSpan.FromMinutes(1));
        CheckRange(errors, Prefix + nameof(options.SmtpAttemptTimeout), options.SmtpAttemptTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(30));
        if (options.SmtpAttemptTimeout < options.SmtpTimeout)
        {
            errors.Add($"{Prefix}{nameof(options.SmtpAttemptTimeout)} {options.SmtpAttemptTimeout} is shorter than {nameof(options.SmtpTimeout)} {options.SmtpTimeout}: one attempt needs at least one operation's time.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    internal static void CheckRange(List<string> errors, string field, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            errors.Add($"{field} {value} is out of range: use {min} to {max}.");
        }
    }
}
