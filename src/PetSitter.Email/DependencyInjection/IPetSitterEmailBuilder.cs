using Microsoft.Extensions.DependencyInjection;

namespace PetSitter.Email;

/// <summary>
/// Returned by <c>AddPetSitterEmail</c> to configure the optional parts (native mailer, stores).
/// Extension methods on it return it again, so calls chain.
/// </summary>
public interface IPetSitterEmailBuilder
{
    /// <summary>Gets the service collection the library is registered in.</summary>
    IServiceCollection Services { get; }
}
