using Microsoft.Extensions.Options;

namespace PetSitter.Email.AspNetCore.Unsubscribe;

/// <summary>Checks <see cref="OneClickUnsubscribeOptions"/>, naming each wrong field and its fix.</summary>
internal sealed class OneClickUnsubscribeOptionsValidator : IValidateOptions<OneClickUnsubscribeOptions>
{
    internal static readonly TimeSpan MinLifetime = TimeSpan.FromHours(1);
    internal static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(400);

    public ValidateOptionsResult Validate(string? name, OneClickUnsubscribeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.EndpointUrl is not { } url)
        {
            errors.Add("OneClickUnsubscribeOptions.EndpointUrl is required: set it to the public https URL of the endpoint, for example https://app.example/email/unsubscribe.");
        }
        else if (!url.IsAbsoluteUri || !string.Equals(url.Scheme, Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add($"OneClickUnsubscribeOptions.EndpointUrl must be an absolute https URL (RFC 8058 one-click unsubscribe needs https), such as https://app.example/email/unsubscribe; it is '{url.OriginalString}'.");
        }
        else if (url.Query.Length > 0 || url.Fragment.Length > 0 || url.UserInfo.Length > 0)
        {
            errors.Add($"OneClickUnsubscribeOptions.EndpointUrl must have no query, fragment, user name or password (the library appends ?token=...): remove them from '{url.GetLeftPart(UriPartial.Authority)}{url.AbsolutePath}...'.");
        }

        if (options.TokenLifetime < MinLifetime || options.TokenLifetime > MaxLifetime)
        {
            errors.Add($"OneClickUnsubscribeOptions.TokenLifetime must be between 1 hour and 400 days; it is {options.TokenLifetime}. The default is 60 days.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
