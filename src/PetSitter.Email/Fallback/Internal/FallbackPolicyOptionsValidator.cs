using Microsoft.Extensions.Options;

namespace PetSitter.Email.Fallback;

/// <summary>The field rules of <see cref="FallbackPolicyOptions"/>, generated from their DataAnnotations.</summary>
[OptionsValidator]
internal sealed partial class FallbackPolicyOptionsValidator : IValidateOptions<FallbackPolicyOptions>
{
}
