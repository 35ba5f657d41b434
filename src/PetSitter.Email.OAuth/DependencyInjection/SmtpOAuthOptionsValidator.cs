using Microsoft.Extensions.Options;

namespace PetSitter.Email.OAuth.DependencyInjection;

/// <summary>The field rules of <see cref="SmtpOAuthOptions"/>, generated from their DataAnnotations.</summary>
[OptionsValidator]
internal sealed partial class SmtpOAuthOptionsValidator : IValidateOptions<SmtpOAuthOptions>
{
}

/// <summary>The rules across fields: the state key's length, each configured provider's endpoints and scopes. Names the field and the fix; never a secret.</summary>
internal sealed class SmtpOAuthOptionsCustomValidator : IValidateOptions<SmtpOAuthOptions>
{
    public ValidateOptionsResult Validate(string? name, SmtpOAuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.StateKey) && StateKeyBytes(options.StateKey) is not { Length: >= SmtpOAuthOptions.MinimumStateKeyBytes })
        {
            errors.Add($"SmtpOAuthOptions.StateKey must be base64 of at least {SmtpOAuthOptions.MinimumStateKeyBytes} random bytes (for example the output of 'openssl rand -base64 32').");
        }

        var configured = options.Configured.ToList();
        if (configured.Count == 0)
        {
            errors.Add("SmtpOAuthOptions: no provider has a ClientId. Set Microsoft.ClientId, Google.ClientId or add one to Others.");
        }

        foreach (var provider in configured)
        {
            var field = $"SmtpOAuthOptions provider '{provider.Name}'";
            if (string.IsNullOrWhiteSpace(provider.Name))
            {
                errors.Add("SmtpOAuthOptions: a provider in Others has no Name.");
            }

            if (provider.AuthorizationEndpoint is not { IsAbsoluteUri: true } auth || auth.Scheme != Uri.UriSchemeHttps)
            {
                errors.Add($"{field}: AuthorizationEndpoint must be an absolute https address.");
            }

            if (provider.TokenEndpoint is not { IsAbsoluteUri: true } token || token.Scheme != Uri.UriSchemeHttps)
            {
                errors.Add($"{field}: TokenEndpoint must be an absolute https address.");
            }

            if (string.IsNullOrWhiteSpace(provider.Issuer))
            {
                errors.Add($"{field}: Issuer must be set (the 'iss' of its ID tokens).");
            }

            if (!provider.Scopes.Contains("openid") || !provider.Scopes.Contains("email"))
            {
                errors.Add($"{field}: Scopes must include 'openid' and 'email' (the mailbox address is read from the ID token).");
            }

            if (string.IsNullOrWhiteSpace(provider.SmtpHost))
            {
                errors.Add($"{field}: SmtpHost must be set.");
            }

            if (provider.SmtpPort is < 1 or > 65535)
            {
                errors.Add($"{field}: SmtpPort must be between 1 and 65535.");
            }
        }

        var duplicates = configured.GroupBy(static p => p.Name, StringComparer.OrdinalIgnoreCase).Where(static g => g.Count() > 1).Select(static g => g.Key).ToList();
        if (duplicates.Count > 0)
        {
            errors.Add($"SmtpOAuthOptions: provider names must be unique; repeated: {string.Join(", ", duplicates)}.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    internal static byte[]? StateKeyBytes(string key)
    {
        var buffer = new byte[key.Length];
        return Convert.TryFromBase64String(key.Trim(), buffer, out var written) ? buffer[..written] : null;
    }
}
