using Microsoft.Extensions.DependencyInjection;

namespace PetSitter.Email;

internal sealed record PetSitterEmailBuilder(IServiceCollection Services) : IPetSitterEmailBuilder;
