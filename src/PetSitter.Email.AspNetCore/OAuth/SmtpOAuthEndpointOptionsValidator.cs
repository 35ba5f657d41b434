using Microsoft.Extensions.Options;

namespace PetSitter.Email.AspNetCore.OAuth;

/// <summary>Checks <see cref="SmtpOAuthEndpointOptions"/>, naming each wrong field and its fix.</summary>
internal sealed class SmtpOAuthEndpointOptionsValidator : IValidateOptions<SmtpOAuthEndpointOptions>
{
    public ValidateOptionsResult Validate(string? name, SmtpOAuthEndpointOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.AuthorizeBusiness is null)
        {
            errors.Add("SmtpOAuthEndpointOptions.AuthorizeBusiness is required: set it to the app's check that the signed-in user may connect a mailbox to the business, for example (context, businessId) => owners.IsOwnerAsync(context.User, businessId).");
        }

        if (options.GetUserId is null)
        {
            errors.Add("SmtpOAuthEndpointOptions.GetUserId must not be null: leave the default (the NameIdentifier claim) or read the app's user id from the HttpContext.");
        }

        if (options.CallbackUrl is { } url && (!url.IsAbsoluteUri || url.Query.Length > 0 || url.Fragment.Length > 0))
        {
            errors.Add($"SmtpOAuthEndpointOptions.CallbackUrl must be the absolute address registered with the providers, without query or fragment, such as https://app.example/email/oauth/callback; it is '{url.OriginalString}'.");
        }

        if (!ReturnUrls.IsLocal(options.DefaultReturnUrl))
        {
            errors.Add($"SmtpOAuthEndpointOptions.DefaultReturnUrl must be a local path such as /settings/email; it is '{options.DefaultReturnUrl}'.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
