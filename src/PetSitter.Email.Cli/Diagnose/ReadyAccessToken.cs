namespace PetSitter.Email.Cli.Diagnose;

/// <summary>
/// The one access token diagnose was given (<c>--access-token-env</c>). It cannot be refreshed: when the server
/// refuses it, the sign-in fails as expired credentials, which is what a refused ready token means.
/// </summary>
internal sealed class ReadyAccessToken(string token) : ISmtpAccessTokenProvider
{
    public ValueTask<string> GetAccessTokenAsync(SmtpAccessTokenRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.ForceRefresh
            ? throw new InvalidOperationException("diagnose was given one ready access token and cannot refresh it: get a new token and run diagnose again.")
            : ValueTask.FromResult(token);
    }

    public override string ToString() => "a ready access token (from --access-token-env)";
}
