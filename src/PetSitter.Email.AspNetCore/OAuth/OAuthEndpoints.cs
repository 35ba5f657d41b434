using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PetSitter.Email.OAuth;

namespace PetSitter.Email.AspNetCore.OAuth;

/// <summary>
/// The connect, callback and disconnect endpoints. The app decides who may act for which business
/// (<see cref="SmtpOAuthEndpointOptions.AuthorizeBusiness"/>); <see cref="ISmtpOAuthConnector"/> proves the callback
/// belongs to the request this user started. The return address travels in a Data-Protection cookie bound to the
/// state, never in the provider's URLs.
/// </summary>
internal sealed partial class OAuthEndpoints(
    IOptions<SmtpOAuthEndpointOptions> options,
    IOptions<SmtpOAuthOptions> oauthOptions,
    ISmtpOAuthConnector connector,
    ISmtpOAuthGrantStore grants,
    ISmtpDiagnostics diagnostics,
    IDataProtectionProvider protection,
    ILogger<OAuthEndpoints> logger)
{
    internal const string ReturnCookie = ".PetSitterEmail.OAuth";
    internal const string ResultParameter = "oauth";
    private readonly IDataProtector _protector = protection.CreateProtector("PetSitter.Email.AspNetCore.OAuth.ReturnUrl");

    private SmtpOAuthEndpointOptions Options => options.Value;

    public static Task ConnectAsync(HttpContext context, string provider) =>
        context.RequestServices.GetRequiredService<OAuthEndpoints>().ConnectCoreAsync(context, provider);

    public static Task CallbackAsync(HttpContext context) =>
        context.RequestServices.GetRequiredService<OAuthEndpoints>().CallbackCoreAsync(context);

    public static Task DisconnectAsync(HttpContext context, string provider) =>
        context.RequestServices.GetRequiredService<OAuthEndpoints>().DisconnectCoreAsync(context, provider);

    /// <summary>The provider's name from the route: <c>microsoft</c>, <c>google</c>, or a configured provider's name.</summary>
    internal static string ProviderName(string slug) => slug.ToLowerInvariant() switch
    {
        "microsoft" or "microsoft365" or "microsoft-365" => SmtpOAuthProviders.MicrosoftName,
        "google" or "gmail" => SmtpOAuthProviders.GoogleName,
        _ => Uri.UnescapeDataString(slug),
    };

    private async Task ConnectCoreAsync(HttpContext context, string slug)
    {
        NoStore(context.Response);
        var businessId = context.Request.Query["businessId"].ToString();
        if (await CheckUserAsync(context, businessId).ConfigureAwait(false) is not { } userId)
        {
            return;
        }

        var returnUrl = context.Request.Query["returnUrl"].ToString();
        if (returnUrl.Length == 0)
        {
            returnUrl = Options.DefaultReturnUrl;
        }
        else if (!ReturnUrls.IsLocal(returnUrl))
        {
            LogReturnUrlRefused(logger, businessId);
            await WriteAsync(context.Response, StatusCodes.Status400BadRequest, "Not connected", "The return address must be a page of this site.").ConfigureAwait(false);
            return;
        }

        var provider = ProviderName(slug);
        SmtpOAuthAuthorizationRequest request;
        try
        {
            request = await connector.CreateAuthorizationRequestAsync(businessId, userId, provider, CallbackUri(context), cancellationToken: context.RequestAborted).ConfigureAwait(false);
        }
        catch (ArgumentException)
        {
            await WriteAsync(context.Response, StatusCodes.Status404NotFound, "Not connected", $"{Encode(provider)} is not offered for connecting a mailbox.").ConfigureAwait(false);
            return;
        }

        var cookie = _protector.Protect($"{StateHash(request.State)}\n{returnUrl}");
        context.Response.Cookies.Append(ReturnCookie, cookie, new CookieOptions
        {
            HttpOnly = true,
            Secure = context.Request.IsHttps,
            // Lax: the provider's redirect back is a top-level GET navigation, which carries Lax cookies.
            SameSite = SameSiteMode.Lax,
            Path = CallbackPath(context),
            MaxAge = oauthOptions.Value.StateLifetime,
            IsEssential = true,
        });
        LogConnectStarted(logger, provider, businessId);
        context.Response.Redirect(request.AuthorizationUri.AbsoluteUri);
    }

    private async Task CallbackCoreAsync(HttpContext context)
    {
        NoStore(context.Response);
        if (Options.GetUserId(context) is not { Length: > 0 } userId)
        {
            await WriteAsync(context.Response, StatusCodes.Status401Unauthorized, "Sign in first", "Sign in to the app, then press Connect again.").ConfigureAwait(false);
            return;
        }

        var query = context.Request.Query.ToDictionary(static p => p.Key, static p => (string?)p.Value.ToString(), StringComparer.Ordinal);
        var callback = SmtpOAuthCallback.From(query);
        var returnUrl = ReadReturnUrl(context, callback.State);
        context.Response.Cookies.Delete(ReturnCookie, new CookieOptions { Path = CallbackPath(context), Secure = context.Request.IsHttps, SameSite = SameSiteMode.Lax, HttpOnly = true });

        var result = await connector.CompleteAsync(callback, userId, cancellationToken: context.RequestAborted).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            LogCallbackRefused(logger, result.Error, result.BusinessId);
            if (result.Error is SmtpOAuthConnectError.InvalidState or SmtpOAuthConnectError.OtherUser or SmtpOAuthConnectError.OtherBusiness
                or SmtpOAuthConnectError.Expired or SmtpOAuthConnectError.Replayed)
            {
                // Not sent back to the app's page: a callback that is not this user's own request has no trusted return address.
                var status = result.Error == SmtpOAuthConnectError.OtherUser ? StatusCodes.Status403Forbidden : StatusCodes.Status400BadRequest;
                await WriteAsync(context.Response, status, "Not connected", Encode(result.Message)).ConfigureAwait(false);
                return;
            }

            Redirect(context, returnUrl, "failed", Reason(result.Error), null);
            return;
        }

        var grant = result.Grant!;
        if (Options.CheckSignIn && await SignInFailsAsync(grant, context.RequestAborted).ConfigureAwait(false) is { } failure)
        {
            await grants.DeleteAsync(grant.BusinessId, CancellationToken.None).ConfigureAwait(false);
            LogSignInCheckFailed(logger, grant.BusinessId, grant.GrantId, failure.FailureKind?.ToString() ?? "unknown");
            Redirect(context, returnUrl, "failed", "smtp-sign-in-refused", grant.Provider);
            return;
        }

        LogConnected(logger, grant.BusinessId, grant.GrantId);
        Redirect(context, returnUrl, "connected", null, grant.Provider);
    }

    private async Task DisconnectCoreAsync(HttpContext context, string slug)
    {
        NoStore(context.Response);
        if (!context.Request.HasFormContentType)
        {
            await WriteAsync(context.Response, StatusCodes.Status400BadRequest, "Not disconnected", "Send the settings page's form.").ConfigureAwait(false);
            return;
        }

        if (Options.RequireAntiforgery)
        {
            var antiforgery = context.RequestServices.GetRequiredService<IAntiforgery>();
            if (!await antiforgery.IsRequestValidAsync(context).ConfigureAwait(false))
            {
                await WriteAsync(context.Response, StatusCodes.Status400BadRequest, "Not disconnected", "The form has expired: reload the settings page and try again.").ConfigureAwait(false);
                return;
            }
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        var businessId = form["businessId"].ToString();
        if (await CheckUserAsync(context, businessId).ConfigureAwait(false) is null)
        {
            return;
        }

        var returnUrl = form["returnUrl"].ToString();
        if (returnUrl.Length == 0)
        {
            returnUrl = Options.DefaultReturnUrl;
        }
        else if (!ReturnUrls.IsLocal(returnUrl))
        {
            LogReturnUrlRefused(logger, businessId);
            await WriteAsync(context.Response, StatusCodes.Status400BadRequest, "Not disconnected", "The return address must be a page of this site.").ConfigureAwait(false);
            return;
        }

        var provider = ProviderName(slug);
        if (await grants.GetAsync(businessId, context.RequestAborted).ConfigureAwait(false) is { } grant
            && !string.Equals(grant.Provider, provider, StringComparison.OrdinalIgnoreCase))
        {
            await WriteAsync(context.Response, StatusCodes.Status409Conflict, "Not disconnected", $"The business's mailbox is connected with {Encode(grant.Provider)}, not {Encode(provider)}.").ConfigureAwait(false);
            return;
        }

        var result = await connector.DisconnectAsync(businessId, context.RequestAborted).ConfigureAwait(false);
        LogDisconnected(logger, businessId, result.GrantDeleted, result.Revoked);
        Redirect(context, returnUrl, "disconnected", null, provider);
    }

    /// <summary>The signed-in user, when the app lets them act for the business; otherwise the refusal is written.</summary>
    private async Task<string?> CheckUserAsync(HttpContext context, string businessId)
    {
        if (Options.GetUserId(context) is not { Length: > 0 } userId)
        {
            await WriteAsync(context.Response, StatusCodes.Status401Unauthorized, "Sign in first", "Sign in to the app to connect a mailbox.").ConfigureAwait(false);
            return null;
        }

        if (string.IsNullOrWhiteSpace(businessId))
        {
            await WriteAsync(context.Response, StatusCodes.Status400BadRequest, "No business", "The request named no business (businessId).").ConfigureAwait(false);
            return null;
        }

        if (!await Options.AuthorizeBusiness!(context, businessId).ConfigureAwait(false))
        {
            LogForbidden(logger, businessId);
            await WriteAsync(context.Response, StatusCodes.Status403Forbidden, "Not allowed", "You may not change the mailbox of this business.").ConfigureAwait(false);
            return null;
        }

        return userId;
    }

    private async Task<DiagnosticFinding?> SignInFailsAsync(SmtpOAuthGrant grant, CancellationToken cancellationToken)
    {
        var settings = connector.CreateSmtpSettings(grant);
        if (Options.SignInCheckSettings is { } adjust)
        {
            settings = adjust(grant, settings);
        }

        var report = await diagnostics.RunAsync(settings, cancellationToken: cancellationToken).ConfigureAwait(false);
        return report.Findings.FirstOrDefault(static f => f.Check == DiagnosticCheck.AccountWorking && f.Status == DiagnosticStatus.Fail);
    }

    private string ReadReturnUrl(HttpContext context, string? state)
    {
        if (state is not null && context.Request.Cookies[ReturnCookie] is { } cookie)
        {
            try
            {
                var parts = _protector.Unprotect(cookie).Split('\n', 2);
                if (parts.Length == 2 && string.Equals(parts[0], StateHash(state), StringComparison.Ordinal) && ReturnUrls.IsLocal(parts[1]))
                {
                    return parts[1];
                }
            }
            catch (CryptographicException)
            {
                // A cookie from another key ring or altered: the default page.
            }
        }

        return Options.DefaultReturnUrl;
    }

    private Uri CallbackUri(HttpContext context)
    {
        if (Options.CallbackUrl is { } configured)
        {
            return configured;
        }

        var request = context.Request;
        return new Uri($"{request.Scheme}://{request.Host}{request.PathBase}{CallbackPath(context)}");
    }

    private static string CallbackPath(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<OAuthCallbackPath>()?.Path ?? "/";

    private static void Redirect(HttpContext context, string returnUrl, string outcome, string? reason, string? provider)
    {
        var parameters = new Dictionary<string, string?>(StringComparer.Ordinal) { [ResultParameter] = outcome };
        if (reason is not null)
        {
            parameters["reason"] = reason;
        }

        if (provider is not null)
        {
            parameters["provider"] = provider;
        }

        context.Response.Redirect(QueryHelpers.AddQueryString(returnUrl, parameters));
    }

    /// <summary>The error as a stable, lowercase word for the app's page: never the provider's text.</summary>
    internal static string Reason(SmtpOAuthConnectError error) => error switch
    {
        SmtpOAuthConnectError.Declined => "declined",
        SmtpOAuthConnectError.ExchangeFailed => "exchange-failed",
        SmtpOAuthConnectError.InvalidIdToken => "invalid-id-token",
        SmtpOAuthConnectError.ProviderUnavailable => "provider-unavailable",
        _ => "refused",
    };

    private static string StateHash(string state) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(state)));

    private static void NoStore(HttpResponse response)
    {
        // Codes and states are single-use credentials: not cached, not sent on as a Referer.
        response.Headers.CacheControl = "no-store";
        response.Headers["Referrer-Policy"] = "no-referrer";
    }

    private static string Encode(string text) => HtmlEncoder.Default.Encode(text);

    private static Task WriteAsync(HttpResponse response, int status, string title, string encodedText)
    {
        response.StatusCode = status;
        response.ContentType = "text/html; charset=utf-8";
        return response.WriteAsync(
            $"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{Encode(title)}</title></head><body><h1>{Encode(title)}</h1><p>{encodedText}</p></body></html>""");
    }

    [LoggerMessage(EventId = AspNetCoreLogEvents.OAuth.ConnectStarted, Level = LogLevel.Information, Message = "Connect with {Provider} started for business {BusinessId}")]
    private static partial void LogConnectStarted(ILogger logger, string provider, string businessId);

    [LoggerMessage(EventId = AspNetCoreLogEvents.OAuth.Connected, Level = LogLevel.Information, Message = "Mailbox of business {BusinessId} connected as grant {GrantId}; the SMTP sign-in check passed")]
    private static partial void LogConnected(ILogger logger, string businessId, string grantId);

    [LoggerMessage(EventId = AspNetCoreLogEvents.OAuth.CallbackRefused, Level = LogLevel.Warning, Message = "OAuth callback refused ({Error}) for business {BusinessId}: nothing stored")]
    private static partial void LogCallbackRefused(ILogger logger, SmtpOAuthConnectError error, string? businessId);

    [LoggerMessage(EventId = AspNetCoreLogEvents.OAuth.SignInCheckFailed, Level = LogLevel.Warning, Message = "The SMTP sign-in check of grant {GrantId} for business {BusinessId} failed ({FailureKind}): the grant is deleted again")]
    private static partial void LogSignInCheckFailed(ILogger logger, string businessId, string grantId, string failureKind);

    [LoggerMessage(EventId = AspNetCoreLogEvents.OAuth.Disconnected, Level = LogLevel.Information, Message = "Mailbox of business {BusinessId} disconnected (grant deleted: {Deleted}, revoked at the provider: {Revoked})")]
    private static partial void LogDisconnected(ILogger logger, string businessId, bool deleted, bool revoked);

    [LoggerMessage(EventId = AspNetCoreLogEvents.OAuth.Forbidden, Level = LogLevel.Warning, Message = "The app refused a mailbox change for business {BusinessId} (AuthorizeBusiness answered false)")]
    private static partial void LogForbidden(ILogger logger, string businessId);

    [LoggerMessage(EventId = AspNetCoreLogEvents.OAuth.ReturnUrlRefused, Level = LogLevel.Warning, Message = "A return address for business {BusinessId} was not a local path: refused (no open redirects)")]
    private static partial void LogReturnUrlRefused(ILogger logger, string businessId);
}

/// <summary>Endpoint metadata: the callback's path, for the cookie's path and the redirect URI.</summary>
internal sealed record OAuthCallbackPath(string Path);
