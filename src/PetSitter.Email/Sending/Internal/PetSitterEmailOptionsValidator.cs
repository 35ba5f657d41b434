using Microsoft.Extensions.Options;

namespace PetSitter.Email.Sending;

/// <summary>The field rules of <see cref="PetSitterEmailOptions"/> and its groups, generated from their DataAnnotations.</summary>
[OptionsValidator]
internal sealed partial class PetSitterEmailOptionsValidator : IValidateOptions<PetSitterEmailOptions>
{
}
