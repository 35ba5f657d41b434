using Microsoft.Extensions.Options;

namespace PetSitter.Email.Health;

/// <summary>The field rules of <see cref="AccountHealthOptions"/>, generated from their DataAnnotations.</summary>
[OptionsValidator]
internal sealed partial class AccountHealthOptionsValidator : IValidateOptions<AccountHealthOptions>
{
}
