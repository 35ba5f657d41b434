using MailKit.Net.Smtp;

namespace PetSitter.Email.Diagnostics;

/// <summary>
/// The sign-in step: first whether a sign-in can work on this connection at all (never a password in
/// clear text, a mechanism the account can use), then one AUTH with one mechanism.
/// </summary>
internal sealed class SignInStep
{
    private readonly DiagnosticContext _context;
    private readonly TimeProvider _time;

    public SignInStep(DiagnosticContext context, TimeProvider time)
    {
        _context = context;
        _time = time;
    }

    private SmtpAccountSettings Account => _context.Account;

    /// <summary>Returns whether the conversation may go on to the sender.</summary>
    public async Task<bool> RunAsync(DiagnosticSession session, CancellationToken cancellationToken)
    {
        if (!_context.HasUserName)
        {
            _context.Findings.Add(DiagnosticCheck.Password, DiagnosticStatus.NotChecked, "No user name is set: the account sends without signing in.");
            _context.AddStep("Sign in: skipped (no user name).");
            return true;
        }

        return CanSignIn(session.Client) && await AuthenticateAsync(session, cancellationToken).ConfigureAwait(false);
    }

    private bool CanSignIn(DiagnosticSmtpClient client)
    {
        var capabilities = client.Capabilities;
        var mechanisms = client.AuthenticationMechanisms.Order(StringComparer.OrdinalIgnoreCase).ToList();

        // Before looking at AUTH: servers often offer it only after STARTTLS, and the real problem is the mode.
        if (!client.IsSecure && !Account.AllowAuthenticationWithoutTls)
        {
            // The refusal is this library's rule, not the server's: say so rather than blame the provider.
            var refused = SmtpSecurityMapping.PlainAuthenticationRefused(_context.Endpoint);
            var offersStartTls = capabilities.HasFlag(SmtpCapabilities.StartTLS);
            var failure = new SmtpFailure(SmtpFailureKind.Misconfigured, isAccountLevel: true, isTransient: false,
                $"PetSitter.Email never sends a password over an unencrypted connection, and Security is {SecurityNames.ForOwner(_context.Security)}: "
                + (offersStartTls
                    ? $"this server offers STARTTLS on port {_context.Port}, so set Security to STARTTLS in Custom SMTP Configuration."
                    : "use your provider's encrypted port (usually 465 with SSL/TLS, or 587 with STARTTLS) in Custom SMTP Configuration.")
                + (mechanisms.Count > 0 ? $" (The server itself offers sign-in ({string.Join(", ", mechanisms)}) without encryption; only on a trusted network of your own may AllowAuthenticationWithoutTls be set.)" : string.Empty),
                SmtpStage.Authenticate, statusCode: null, reply: refused.Reply)
            {
                RuleName = "library-refuses-plain-authentication",
            };
            if (offersStartTls)
            {
                _context.SuggestedSecurity = SmtpSecurity.StartTls;
            }

            _context.AddStep("Sign in: not attempted (the connection is not encrypted).");
            _context.AddFailure("sign-in", failure, "The password was not sent: the connection is not encrypted, and the library never sends a password in clear text.");
            _context.Stop("the password was not sent over an unencrypted connection");
            return false;
        }

        if (mechanisms.Count == 0)
        {
            var failure = _context.Classify(new SmtpTransportException(SmtpStage.Authenticate, null, "The SMTP server does not support authentication on this connection.", new NotSupportedException("The SMTP server does not support authentication.")));
            var suggestion = !client.IsSecure && capabilities.HasFlag(SmtpCapabilities.StartTLS) ? _context.SuggestStartTls() : null;
            _context.AddFailure("capabilities", failure, "The server offers no way to sign in on this connection.", suggestion);
            _context.Stop("the server offers no way to sign in");
            return false;
        }

        if (Account.UsesAccessTokens && !mechanisms.Contains(SmtpSignIn.OAuth2Mechanism, StringComparer.OrdinalIgnoreCase))
        {
            var failure = _context.Classify(new SmtpTransportException(SmtpStage.Authenticate, null, $"No compatible authentication mechanisms found: the account signs in with OAuth2 (XOAUTH2) and the server offers only {string.Join(", ", mechanisms)}."));
            _context.AddFailure("capabilities", failure, $"The server does not offer OAuth2 (XOAUTH2) sign-in, only {string.Join(", ", mechanisms)}.");
            _context.Stop("the server takes no OAuth2 token");
            return false;
        }

        if (!Account.UsesAccessTokens && !mechanisms.Any(IsPasswordMechanism))
        {
            var failure = _context.Classify(new SmtpTransportException(SmtpStage.Authenticate, null, $"No compatible authentication mechanisms found: the server offers only {string.Join(", ", mechanisms)}."));
            _context.AddFailure("capabilities", failure, $"The server offers only {string.Join(", ", mechanisms)} sign-in, which needs the provider's own sign-in (OAuth2) rather than a password.");
            _context.Stop("the server takes no password");
            return false;
        }

        return true;
    }

    private async Task<bool> AuthenticateAsync(DiagnosticSession session, CancellationToken cancellationToken)
    {
        var log = session.Log;

        // One mechanism only, as the sending path does: a wrong password tried with PLAIN and then LOGIN
        // would cost two failed sign-ins, and providers lock mailboxes after a few.
        var mechanism = SmtpSignIn.ChooseMechanism(Account, session.Client.AuthenticationMechanisms) ?? SmtpSignIn.OAuth2Mechanism;
        using var step = _context.BeginStep(_time, cancellationToken);
        var repliesBefore = log.ReplyCount;
        try
        {
            log.Tracker.BeginOperation(SmtpStage.Authenticate);
            await SmtpSignIn.AuthenticateAsync(session.Client, Account, log.Tracker, step.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            var translated = _context.Translate(ex, step, session);

            // MailKit moves on from a 534 ("mechanism too weak", Gmail's "app password required") to the
            // next mechanism and, with none left, reports a bare "Authentication failed.": the reply itself,
            // which says what is wrong, is in the log.
            // The transport keeps only the code of that reply; the diagnosis keeps its text as evidence.
            if (translated.EnhancedStatusCode is null && log.LastErrorAfter(repliesBefore) is var (code, text))
            {
                translated = new SmtpTransportException(SmtpStage.Authenticate, code, text, ex);
            }

            var failure = _context.Classify(SmtpSecretScrubber.Scrub(translated, Account.Password));
            _context.AddStep($"Sign in as {Account.UserName} (AUTH {mechanism}): failed: {DiagnosticText.Evidence(failure)} ({step.Elapsed}).");
            var summary = failure.Kind switch
            {
                SmtpFailureKind.AuthenticationFailed or SmtpFailureKind.CredentialsExpired => Account.UsesAccessTokens
                    ? $"The sign-in for {Account.UserName} with an OAuth2 access token failed (AUTH {mechanism}): the token was refused or could not be renewed."
                    : $"The server refused the user name or password for {Account.UserName} (AUTH {mechanism}).",
                SmtpFailureKind.Transient when failure.StatusCode is null => $"The connection was lost while signing in as {Account.UserName}.",
                _ => $"The server refused the sign-in for {Account.UserName} (AUTH {mechanism}).",
            };
            _context.AddFailure("sign-in", failure, summary);
            _context.Stop(failure.Kind switch
            {
                SmtpFailureKind.AuthenticationFailed or SmtpFailureKind.CredentialsExpired => "the sign-in failed",
                SmtpFailureKind.Transient when failure.StatusCode is null => "the connection was lost while signing in",
                _ => "the server refused the sign-in before judging the password",
            });
            return false;
        }

        _context.AddStep($"Sign in as {Account.UserName} (AUTH {mechanism}): {log.LastReply} ({step.Elapsed}).");
        _context.Findings.Add(DiagnosticCheck.Password, DiagnosticStatus.Pass, $"Signed in as {Account.UserName} (AUTH {mechanism}).", reply: log.LastReply);
        return true;
    }

    private static bool IsPasswordMechanism(string mechanism) =>
        mechanism.Equals("PLAIN", StringComparison.OrdinalIgnoreCase) || mechanism.Equals("LOGIN", StringComparison.OrdinalIgnoreCase);
}
