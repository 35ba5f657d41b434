using Microsoft.Extensions.Options;

namespace PetSitter.Email;

internal sealed class FallbackPolicyOptionsValidator : IValidateOptions<FallbackPolicyOptions>
{
    private const string Prefix = nameof(FallbackPolicyOptions) + ".";

    public ValidateOptionsResult Validate(string? name, FallbackPolicyOptions options)
    {
        var errors = new List<string>();
        CheckAction(errors, nameof(options.Marketing), options.Marketing);
        CheckAction(errors, nameof(options.General), options.General);
        CheckAction(errors, nameof(options.Quote), options.Quote);
        CheckAction(errors, nameof(options.Invoice), options.Invoice);
        CheckAction(errors, nameof(options.AccountSummary), options.AccountSummary);
        CheckAction(errors, nameof(options.SystemNotification), options.SystemNotification);

        if (options.MaxDeferredAttempts is < 1 or > 1000)
        {
            errors.Add($"{Prefix}{nameof(options.MaxDeferredAttempts)} {options.MaxDeferredAttempts} is out of range: use 1-1000.");
        }

        if (options.DeferredBatchSize is < 1 or > 10_000)
        {
            errors.Add($"{Prefix}{nameof(options.DeferredBatchSize)} {options.DeferredBatchSize} is out of range: use 1-10000.");
        }

        if (options.MaxInMemoryDeferred is < 1 or > 1_000_000)
        {
            errors.Add($"{Prefix}{nameof(options.MaxInMemoryDeferred)} {options.MaxInMemoryDeferred} is out of range: use 1-1000000.");
        }

        PetSitterEmailOptionsValidator.CheckRange(errors, Prefix + nameof(options.MaxDeferral), options.MaxDeferral, TimeSpan.FromMinutes(1), TimeSpan.FromDays(30));
        PetSitterEmailOptionsValidator.CheckRange(errors, Prefix + nameof(options.DeferredRetryDelay), options.DeferredRetryDelay, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        PetSitterEmailOptionsValidator.CheckRange(errors, Prefix + nameof(options.DeferredPollInterval), options.DeferredPollInterval, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void CheckAction(List<string> errors, string field, SmtpFallbackAction action)
    {
        if (action is not (SmtpFallbackAction.SendNative or SmtpFallbackAction.Defer))
        {
            errors.Add($"{Prefix}{field} '{(int)action}' is not a fallback action: use SendNative or Defer.");
        }
    }
}
