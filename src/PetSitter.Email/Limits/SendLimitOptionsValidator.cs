using Microsoft.Extensions.Options;

namespace PetSitter.Email;

internal sealed class SendLimitOptionsValidator : IValidateOptions<SendLimitOptions>
{
    public ValidateOptionsResult Validate(string? name, SendLimitOptions options)
    {
        var errors = new List<string>();
        PetSitterEmailOptionsValidator.CheckRange(
            errors, $"{nameof(SendLimitOptions)}.{nameof(options.MaxThrottleWait)}", options.MaxThrottleWait, TimeSpan.Zero, SendThrottle.MaxMaxWait);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
