using System.Buffers;
using Microsoft.Extensions.Options;

namespace PetSitter.Email;

internal sealed class RedisEmailOptionsValidator : IValidateOptions<RedisEmailOptions>
{
    private const int MaxPrefixLength = 64;
    private static readonly SearchValues<char> Forbidden = SearchValues.Create("{} \t\r\n");

    public ValidateOptionsResult Validate(string? name, RedisEmailOptions options)
    {
        const string Prefix = nameof(RedisEmailOptions) + ".";
        var errors = new List<string>();
        var hasString = !string.IsNullOrWhiteSpace(options.ConnectionString);
        if (hasString == (options.ConnectionFactory is not null))
        {
            errors.Add($"Set exactly one of {Prefix}{nameof(options.ConnectionString)} (for example \"localhost:6379\") and {Prefix}{nameof(options.ConnectionFactory)}.");
        }

        if (options.Database is < -1 or > 15)
        {
            errors.Add($"{Prefix}{nameof(options.Database)} {options.Database} is out of range: use -1 (the connection's default) to 15.");
        }

        var keyPrefix = options.KeyPrefix;
        if (string.IsNullOrEmpty(keyPrefix) || keyPrefix.Length > MaxPrefixLength || keyPrefix.AsSpan().ContainsAny(Forbidden))
        {
            errors.Add($"{Prefix}{nameof(options.KeyPrefix)} '{keyPrefix}' is not usable: use 1-{MaxPrefixLength} characters without white space or braces, for example \"{RedisEmailOptions.DefaultKeyPrefix}\".");
        }

        if (!Enum.IsDefined(options.FailureMode))
        {
            errors.Add($"{Prefix}{nameof(options.FailureMode)} '{(int)options.FailureMode}' is not a failure mode: use FailOpen or FailClosed.");
        }

        PetSitterEmailOptionsValidator.CheckRange(errors, Prefix + nameof(options.FailClosedRetryAfter), options.FailClosedRetryAfter, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        PetSitterEmailOptionsValidator.CheckRange(errors, Prefix + nameof(options.OperationTimeout), options.OperationTimeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(1));
        PetSitterEmailOptionsValidator.CheckRange(errors, Prefix + nameof(options.DeferredLeaseDuration), options.DeferredLeaseDuration, TimeSpan.FromSeconds(10), TimeSpan.FromDays(1));
        PetSitterEmailOptionsValidator.CheckRange(errors, Prefix + nameof(options.HealthRetention), options.HealthRetention, TimeSpan.FromHours(1), TimeSpan.FromDays(30));
        PetSitterEmailOptionsValidator.CheckRange(errors, Prefix + nameof(options.FirstSignInWait), options.FirstSignInWait, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5));
        if (options.MaxLeaseExpiries is < 1 or > 100)
        {
            errors.Add($"{Prefix}{nameof(options.MaxLeaseExpiries)} {options.MaxLeaseExpiries} is out of range: use 1-100.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
