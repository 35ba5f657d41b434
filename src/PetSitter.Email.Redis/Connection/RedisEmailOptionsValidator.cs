using Microsoft.Extensions.Options;

namespace PetSitter.Email;

/// <summary>The field rules of <see cref="RedisEmailOptions"/>, generated from their DataAnnotations.</summary>
[OptionsValidator]
internal sealed partial class RedisEmailOptionsValidator : IValidateOptions<RedisEmailOptions>
{
}
