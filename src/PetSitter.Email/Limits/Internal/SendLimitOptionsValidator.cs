using Microsoft.Extensions.Options;

namespace PetSitter.Email.Limits;

/// <summary>The field rules of <see cref="SendLimitOptions"/>, generated from their DataAnnotations.</summary>
[OptionsValidator]
internal sealed partial class SendLimitOptionsValidator : IValidateOptions<SendLimitOptions>
{
}
