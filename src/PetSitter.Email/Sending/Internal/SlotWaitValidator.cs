using Microsoft.Extensions.Options;

namespace PetSitter.Email.Sending;

/// <summary>
/// <see cref="SendLimitOptions.MaxThrottleWait"/> must be shorter than <see cref="SmtpRetryOptions.AttemptTimeout"/>:
/// the slot is waited for inside the attempt, so a longer wait would have every throttled send abandoned as
/// timed out instead of getting its fallback with the time the account can send again.
/// </summary>
internal sealed class SlotWaitValidator(IOptions<PetSitterEmailOptions> emailOptions) : IValidateOptions<SendLimitOptions>
{
    public ValidateOptionsResult Validate(string? name, SendLimitOptions options)
    {
        SmtpRetryOptions retry;
        try
        {
            retry = emailOptions.Value.Retry;
        }
        catch (OptionsValidationException)
        {
            // PetSitterEmailOptions reports its own errors at start; comparing against a wrong value would add a confusing one.
            return ValidateOptionsResult.Skip;
        }

        if (options.MaxThrottleWait >= retry.AttemptTimeout)
        {
            return ValidateOptionsResult.Fail(
                $"{nameof(SendLimitOptions)}.{nameof(options.MaxThrottleWait)} {options.MaxThrottleWait} is not shorter than "
                + $"{nameof(PetSitterEmailOptions)}.{nameof(PetSitterEmailOptions.Retry)}.{nameof(retry.AttemptTimeout)} {retry.AttemptTimeout}: "
                + "lower MaxThrottleWait or raise AttemptTimeout, since the slot is waited for inside the attempt.");
        }

        return ValidateOptionsResult.Success;
    }
}
