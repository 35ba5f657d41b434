using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using PetSitter.Email.AspNetCore.OAuth;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps PetSitter.Email's "Connect Microsoft 365 / Google" endpoints.</summary>
public static class OAuthEndpointRouteBuilderExtensions
{
    /// <summary>The pattern the endpoints are mapped under unless another is given: <c>/email/oauth</c>.</summary>
    public const string DefaultPattern = "/email/oauth";

    /// <summary>
    /// Maps the settings page's endpoints under <paramref name="pattern"/>:
    /// <c>GET {pattern}/connect/{provider}?businessId=...&amp;returnUrl=...</c> (<c>microsoft</c> or <c>google</c>) sends the
    /// browser to the provider's sign-in; <c>GET {pattern}/callback</c> (the redirect URI to register with each provider)
    /// stores the grant, signs in to SMTP with XOAUTH2 and goes back to the return URL with <c>?oauth=connected</c> or
    /// <c>?oauth=failed&amp;reason=...</c>; <c>POST {pattern}/disconnect/{provider}</c> (form: <c>businessId</c>,
    /// <c>returnUrl</c>, the antiforgery token) revokes the grant where the provider can and deletes it.
    /// A callback whose state was made for another user or business, was used before or is too old is answered 4xx and
    /// stores nothing.
    /// </summary>
    /// <param name="endpoints">The app's route builder.</param>
    /// <param name="pattern">The route prefix. Default: <see cref="DefaultPattern"/>.</param>
    /// <returns>The endpoints' convention builder (authorization policies, rate limiting...).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="endpoints"/> or <paramref name="pattern"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException"><c>AddOAuth(...).UseOAuthEndpoints(...)</c> was not called.</exception>
    public static IEndpointConventionBuilder MapPetSitterEmailOAuth(this IEndpointRouteBuilder endpoints, [StringSyntax("Route")] string pattern = DefaultPattern)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(pattern);
        if (endpoints.ServiceProvider.GetService<OAuthEndpoints>() is null)
        {
            throw new InvalidOperationException(
                "MapPetSitterEmailOAuth needs its services: call services.AddPetSitterEmail().AddOAuth(...).UseOAuthEndpoints(options => options.AuthorizeBusiness = ...) first.");
        }

        var prefix = "/" + pattern.Trim('/');
        var group = endpoints.MapGroup(prefix);
        group.WithMetadata(new OAuthCallbackPath(prefix + "/callback"));
        group.MapGet("connect/{provider}", OAuthEndpoints.ConnectAsync).WithDisplayName("PetSitter.Email OAuth connect");
        group.MapGet("callback", OAuthEndpoints.CallbackAsync).WithDisplayName("PetSitter.Email OAuth callback");
        group.MapPost("disconnect/{provider}", OAuthEndpoints.DisconnectAsync).WithDisplayName("PetSitter.Email OAuth disconnect").DisableAntiforgery();
        return group;
    }
}
