using System.Buffers;
using Microsoft.Extensions.Options;

namespace PetSitter.Email;

/// <summary>
/// The rules of <see cref="RedisEmailOptions"/> DataAnnotations cannot say: exactly one of two fields, and a
/// key prefix fit for Redis keys. The field ranges are generated (<see cref="RedisEmailOptionsValidator"/>).
/// </summary>
internal sealed class RedisEmailOptionsCustomValidator : IValidateOptions<RedisEmailOptions>
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

        var keyPrefix = options.KeyPrefix;
        if (string.IsNullOrEmpty(keyPrefix) || keyPrefix.Length > MaxPrefixLength || keyPrefix.AsSpan().ContainsAny(Forbidden))
        {
            errors.Add($"{Prefix}{nameof(options.KeyPrefix)} '{keyPrefix}' is not usable: use 1-{MaxPrefixLength} characters without white space or braces, for example \"{RedisEmailOptions.DefaultKeyPrefix}\".");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
