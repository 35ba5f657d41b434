namespace PetSitter.Email.Diagnostics;

/// <summary>
/// What the recognised provider publishes: its sign-in rule, the ports it serves, retired or retiring
/// password sign-in, its connection cap and whether it sends only its own domain's From addresses.
/// </summary>
internal sealed class ProviderAnnotator : IDiagnosticAnnotator
{
    public void Annotate(DiagnosticContext context)
    {
        if (context.Requirements is not { } provider)
        {
            return;
        }

        var account = context.Account;
        var findings = context.Findings;
        findings.Note(DiagnosticCheck.ProviderRequirements, $"{provider.Name} requires {provider.SignIn}.");
        if (!provider.Serves(context.Port, context.Security))
        {
            findings.Note(DiagnosticCheck.Settings, $"{provider.Name} serves SMTP on {provider.DescribeEndpoints()}.");
        }

        if (context.HasUserName && provider.RefusesPasswords && !account.UsesAccessTokens)
        {
            findings.Add(DiagnosticCheck.ProviderRequirements, DiagnosticStatus.Warning, $"{provider.Name} no longer accepts a password for SMTP.",
                SmtpFailureKind.ProviderRequirementsChanged,
                advice: $"{provider.Name} accepts only Microsoft sign-in (OAuth2): connect your account with Microsoft sign-in, or send through another email account, in Custom SMTP Configuration.");
        }

        if (context.HasUserName && !account.UsesAccessTokens && provider.AnnouncedChange is { } change)
        {
            findings.Add(DiagnosticCheck.ProviderRequirements, DiagnosticStatus.Warning, $"{provider.Name} has announced the end of password sign-in for SMTP.",
                SmtpFailureKind.ProviderRequirementsChanged, advice: change);
        }

        if (provider.MaxConnections is { } cap && account.MaxConnections > cap)
        {
            findings.Add(DiagnosticCheck.Settings, DiagnosticStatus.Warning, $"{provider.Name} takes at most {cap} connections at once per mailbox, and MaxConnections is {account.MaxConnections}.",
                SmtpFailureKind.Misconfigured,
                advice: $"Set MaxConnections to {cap} or less for this account: {provider.Name} refuses further connections (\"432 4.3.2 Concurrent connections limit exceeded\").");
        }
        else if (provider.MaxConnections is { } limit)
        {
            findings.Note(DiagnosticCheck.ProviderRequirements, $"{provider.Name} takes at most {limit} connections at once per mailbox.");
        }

        if (provider.FromMustMatchAccount && DiagnosticText.DomainOf(account.FromAddress) is { } fromDomain && DiagnosticText.DomainOf(account.UserName) is { } userDomain
            && !string.Equals(fromDomain, userDomain, StringComparison.OrdinalIgnoreCase))
        {
            findings.Add(DiagnosticCheck.Settings, DiagnosticStatus.Warning, $"{provider.Name} sends only From addresses of the account's own domain ({userDomain}), and the From address is at {fromDomain}.",
                SmtpFailureKind.Misconfigured,
                advice: $"Use a From address at {userDomain}, or sign in with the mailbox of {fromDomain}, in Custom SMTP Configuration.");
        }
    }
}
