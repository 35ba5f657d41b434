using Microsoft.Extensions.DependencyInjection;

namespace PetSitter.Email.DependencyInjection;

internal sealed record PetSitterEmailBuilder(IServiceCollection Services) : IPetSitterEmailBuilder;
