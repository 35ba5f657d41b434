using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using PetSitter.Email.OAuth;

namespace PetSitter.Email;

/// <summary>
/// Options of the "Connect Microsoft 365 / Google" endpoints that <c>MapPetSitterEmailOAuth</c> maps: who may connect
/// a mailbox to which business, who the signed-in app user is, and where the callback is. Validated when the host starts.
/// </summary>
public sealed class SmtpOAuthEndpointOptions
{
    /// <summary>
    /// Gets or sets the app's decision whether the request's user may connect or disconnect a mailbox for the business
    /// (the business id comes from the request). Required: the library cannot know the app's users and businesses.
    /// Answering <see langword="false"/> refuses with 403 and changes nothing.
    /// </summary>
    public Func<HttpContext, string, ValueTask<bool>>? AuthorizeBusiness { get; set; }

    /// <summary>
    /// Gets or sets how the signed-in app user's id is read; the <c>state</c> is bound to it and the callback must come
    /// from the same user. Default: the <see cref="ClaimTypes.NameIdentifier"/> claim of <see cref="HttpContext.User"/>.
    /// No user answers 401.
    /// </summary>
    public Func<HttpContext, string?> GetUserId { get; set; } = static context => context.User.FindFirstValue(ClaimTypes.NameIdentifier);

    /// <summary>
    /// Gets or sets the callback's public address, registered with each provider as the redirect URI (for example
    /// <c>https://app.example/email/oauth/callback</c>). Default: <see langword="null"/>, built from the request
    /// (scheme, host, path base and the mapped pattern); set it when the app runs behind a proxy that changes them.
    /// </summary>
    public Uri? CallbackUrl { get; set; }

    /// <summary>Gets or sets where the browser goes back to when the request named no local return URL. Default: <c>/</c>.</summary>
    public string DefaultReturnUrl { get; set; } = "/";

    /// <summary>
    /// Gets or sets whether the callback signs in to the mailbox's SMTP server with XOAUTH2 before it reports the mailbox
    /// connected (a grant whose sign-in fails is deleted again: SMTP AUTH may be off for the mailbox). Default: <see langword="true"/>.
    /// </summary>
    public bool CheckSignIn { get; set; } = true;

    /// <summary>
    /// Gets or sets how the sign-in check's SMTP settings are changed from the grant's own (the provider's SMTP
    /// server), for example to trust a test server's certificate authority. Default: <see langword="null"/>, unchanged.
    /// </summary>
    public Func<SmtpOAuthGrant, SmtpAccountSettings, SmtpAccountSettings>? SignInCheckSettings { get; set; }

    /// <summary>
    /// Gets or sets whether the disconnect POST must carry ASP.NET Core's antiforgery token (the settings page renders it
    /// with <c>IAntiforgery.GetAndStoreTokens</c>). Default: <see langword="true"/>.
    /// </summary>
    public bool RequireAntiforgery { get; set; } = true;

    /// <inheritdoc />
    public override string ToString() => $"OAuth endpoints (callback {CallbackUrl?.AbsoluteUri ?? "from the request"})";
}
