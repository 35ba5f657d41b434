using Microsoft.Extensions.Options;

namespace PetSitter.Email.Sending;

/// <summary>The rules of <see cref="PetSitterEmailOptions"/> that span two fields; the field rules are generated (<see cref="PetSitterEmailOptionsValidator"/>).</summary>
internal sealed class PetSitterEmailOptionsCustomValidator : IValidateOptions<PetSitterEmailOptions>
{
    public ValidateOptionsResult Validate(string? name, PetSitterEmailOptions options)
    {
        var retry = options.Retry;
        var smtp = options.Smtp;
        if (retry.AttemptTimeout < smtp.Timeout)
        {
            return ValidateOptionsResult.Fail(
                $"{nameof(PetSitterEmailOptions)}.{nameof(options.Retry)}.{nameof(retry.AttemptTimeout)} {retry.AttemptTimeout} is shorter than "
                + $"{nameof(PetSitterEmailOptions)}.{nameof(options.Smtp)}.{nameof(smtp.Timeout)} {smtp.Timeout}: one attempt needs at least one operation's time.");
        }

        return ValidateOptionsResult.Success;
    }
}
