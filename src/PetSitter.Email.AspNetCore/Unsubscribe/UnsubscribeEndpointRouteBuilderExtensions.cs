using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using PetSitter.Email.AspNetCore.Unsubscribe;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps PetSitter.Email's one-click unsubscribe endpoint.</summary>
public static class UnsubscribeEndpointRouteBuilderExtensions
{
    /// <summary>The pattern the endpoint is mapped at unless another is given: <c>/email/unsubscribe</c>.</summary>
    public const string DefaultPattern = "/email/unsubscribe";

    /// <summary>
    /// Maps the RFC 8058 one-click unsubscribe endpoint at <paramref name="pattern"/>: <c>POST</c> with the form
    /// body <c>List-Unsubscribe=One-Click</c> and a valid <c>token</c> adds the token's address to its business's
    /// <see cref="PetSitter.Email.ISuppressionList"/> (200, also when it already was there); <c>GET</c> shows a page
    /// whose button sends that POST and changes nothing itself. A missing, forged, changed or expired token is
    /// answered 400. <see cref="PetSitter.Email.OneClickUnsubscribeOptions.EndpointUrl"/> must be the public URL of this
    /// pattern. The endpoint needs no authentication and no antiforgery token: mailbox providers post to it.
    /// </summary>
    /// <param name="endpoints">The app's route builder.</param>
    /// <param name="pattern">The route pattern. Default: <see cref="DefaultPattern"/>.</param>
    /// <returns>The endpoint's convention builder (for rate limiting, host filtering...).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="endpoints"/> or <paramref name="pattern"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException"><c>UseOneClickUnsubscribe</c> was not called on <c>AddPetSitterEmail()</c>.</exception>
    public static IEndpointConventionBuilder MapPetSitterEmailUnsubscribe(this IEndpointRouteBuilder endpoints, [StringSyntax("Route")] string pattern = DefaultPattern)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(pattern);
        if (endpoints.ServiceProvider.GetService<UnsubscribeEndpoint>() is null)
        {
            throw new InvalidOperationException(
                "MapPetSitterEmailUnsubscribe needs its services: call services.AddPetSitterEmail().UseOneClickUnsubscribe(options => options.EndpointUrl = new Uri(\"https://app.example/email/unsubscribe\")) first.");
        }

        return endpoints
            .MapMethods(pattern, [HttpMethods.Get, HttpMethods.Post], UnsubscribeEndpoint.HandleAsync)
            .WithDisplayName("PetSitter.Email one-click unsubscribe");
    }
}
