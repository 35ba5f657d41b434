using Microsoft.Extensions.Options;

namespace PetSitter.Email;

/// <summary>The field rules of <see cref="AccountHealthOptions"/>, generated from their DataAnnotations.</summary>
[OptionsValidator]
internal sealed partial class AccountHealthOptionsValidator : IValidateOptions<AccountHealthOptions>
{
}
