using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PetSitter.Email.AspNetCore.Unsubscribe;

/// <summary>
/// The RFC 8058 endpoint. <c>POST</c> with the form field <c>List-Unsubscribe=One-Click</c> (what Gmail, Yahoo and
/// the others send, and what the confirmation page's button sends) adds the token's address to its business's
/// suppression list; <c>GET</c> only shows that page, because mail scanners and link previews fetch every link in
/// an email and must not unsubscribe anyone.
/// </summary>
internal sealed partial class UnsubscribeEndpoint(UnsubscribeTokens tokens, ISuppressionList list, ILogger<UnsubscribeEndpoint> logger)
{
    internal const string TokenParameter = "token";
    internal const string FormField = "List-Unsubscribe";
    internal const string FormValue = "One-Click";

    public static Task HandleAsync(HttpContext context) =>
        context.RequestServices.GetRequiredService<UnsubscribeEndpoint>().InvokeAsync(context);

    private async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;

        // The token is a credential for one address: not cached, not sent on as a Referer, not indexed.
        response.Headers.CacheControl = "no-store";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers["X-Robots-Tag"] = "noindex";

        if (tokens.Read(request.Query[TokenParameter]) is not { } target)
        {
            LogLinkRefused(logger, request.Method);
            await WriteAsync(response, StatusCodes.Status400BadRequest, "This unsubscribe link is not valid or has expired", "Use the unsubscribe link of a more recent email, or reply to the business and ask to be taken off its list.").ConfigureAwait(false);
            return;
        }

        if (HttpMethods.IsGet(request.Method))
        {
            await WriteAsync(
                response,
                StatusCodes.Status200OK,
                "Unsubscribe from marketing emails?",
                $"{Encode(target.Address)} will get no more marketing emails from this business. Quotes, invoices and booking messages still arrive.",
                form: true).ConfigureAwait(false);
            return;
        }

        if (!await IsOneClickAsync(request, context.RequestAborted).ConfigureAwait(false))
        {
            LogRequestRefused(logger);
            await WriteAsync(response, StatusCodes.Status400BadRequest, "Not unsubscribed", "The request did not carry List-Unsubscribe=One-Click (RFC 8058): use the button on this link's page.").ConfigureAwait(false);
            return;
        }

        try
        {
            if (await list.AddAsync(target.BusinessId, target.Address, SuppressionReason.Unsubscribed, context.RequestAborted).ConfigureAwait(false))
            {
                LogUnsubscribed(logger, target.BusinessId);
            }
            else
            {
                LogAlreadyUnsubscribed(logger, target.BusinessId);
            }
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or OutOfMemoryException))
        {
            // 503 rather than 500: a mailbox provider retries a one-click POST it could not complete.
            LogListFailed(logger, ex, target.BusinessId);
            response.Headers.RetryAfter = "60";
            await WriteAsync(response, StatusCodes.Status503ServiceUnavailable, "Please try again", "Your request could not be saved just now: please try again in a minute.").ConfigureAwait(false);
            return;
        }

        await WriteAsync(response, StatusCodes.Status200OK, "You are unsubscribed", $"{Encode(target.Address)} will get no more marketing emails from this business.").ConfigureAwait(false);
    }

    private static async Task<bool> IsOneClickAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!request.HasFormContentType)
        {
            return false;
        }

        var form = await request.ReadFormAsync(cancellationToken).ConfigureAwait(false);
        return form.TryGetValue(FormField, out var values) && values.Count == 1 && string.Equals(values[0], FormValue, StringComparison.Ordinal);
    }

    private static string Encode(string text) => HtmlEncoder.Default.Encode(text);

    private static Task WriteAsync(HttpResponse response, int status, string title, string encodedText, bool form = false)
    {
        response.StatusCode = status;
        response.ContentType = "text/html; charset=utf-8";
        var button = form
            ? $"""<form method="post"><input type="hidden" name="{FormField}" value="{FormValue}"><button type="submit">Unsubscribe</button></form>"""
            : string.Empty;
        return response.WriteAsync(
            $"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{Encode(title)}</title></head><body><h1>{Encode(title)}</h1><p>{encodedText}</p>{button}</body></html>""");
    }

    [LoggerMessage(EventId = AspNetCoreLogEvents.Unsubscribe.Unsubscribed, Level = LogLevel.Information, Message = "A client of business {BusinessId} unsubscribed with a one-click link")]
    private static partial void LogUnsubscribed(ILogger logger, string businessId);

    [LoggerMessage(EventId = AspNetCoreLogEvents.Unsubscribe.AlreadyUnsubscribed, Level = LogLevel.Debug, Message = "A one-click unsubscribe of business {BusinessId} repeated one already on its list: nothing changed")]
    private static partial void LogAlreadyUnsubscribed(ILogger logger, string businessId);

    [LoggerMessage(EventId = AspNetCoreLogEvents.Unsubscribe.LinkRefused, Level = LogLevel.Information, Message = "An unsubscribe {Method} carried a token that is missing, malformed, forged, changed or expired: refused")]
    private static partial void LogLinkRefused(ILogger logger, string method);

    [LoggerMessage(EventId = AspNetCoreLogEvents.Unsubscribe.RequestRefused, Level = LogLevel.Information, Message = "An unsubscribe POST without the form field List-Unsubscribe=One-Click was refused")]
    private static partial void LogRequestRefused(ILogger logger);

    [LoggerMessage(EventId = AspNetCoreLogEvents.Unsubscribe.ListFailed, Level = LogLevel.Warning, Message = "The suppression list of business {BusinessId} could not take a one-click unsubscribe: answered 503 so the sender retries")]
    private static partial void LogListFailed(ILogger logger, Exception exception, string businessId);
}
