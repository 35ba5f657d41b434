using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using MimeKit;

namespace PetSitter.Email;

/// <summary>
/// One diagnosis of one account, step by step: settings, name resolution, TCP connect, TLS with greeting
/// and EHLO, capabilities, sign-in, MAIL FROM and RCPT TO the From address then RSET, and the optional test message. The first step
/// that fails ends the conversation; questions it left open are reported as not checked, with the reason.
/// </summary>
/// <remarks>
/// Failures go through the sending path's own pieces (<see cref="SmtpStageTracker"/>,
/// <see cref="SmtpFailureTranslator"/>, <see cref="SmtpFailureClassifier"/>), so the kind and advice shown
/// here are the ones the owner would get when an email fails.
/// </remarks>
internal sealed class DiagnosticRun
{
    private static readonly TimeSpan QuitTimeout = TimeSpan.FromSeconds(2);

    private readonly SmtpAccountSettings _account;
    private readonly DiagnosticOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<string, CancellationToken, Task<IPAddress[]>> _resolveHost;
    private readonly string _host;
    private readonly int _port;
    private readonly string _endpoint;
    private readonly SmtpSecurity _security;
    private ProviderDetection _detection;
    private ProviderRequirements? _requirements;
    private string? _banner;
    private readonly DiagnosticFindingBuilder _findings = new();
    private readonly List<string> _steps = [];
    private SmtpSecurity? _suggested;
    private bool _senderChecked;
    private string _notCheckedBecause = "the diagnosis did not get this far";

    public DiagnosticRun(SmtpAccountSettings account, DiagnosticOptions options, TimeProvider time, ILogger logger, Func<string, CancellationToken, Task<IPAddress[]>> resolveHost)
    {
        _resolveHost = resolveHost;
        _account = account;
        _options = options;
        _time = time;
        _logger = logger;
        _host = account.Host.Trim();
        _port = account.Port;
        _endpoint = $"{_host}:{_port}";
        _security = account.EffectiveSecurity;
        _detection = KnownSmtpProviders.Detect(_host, account.Provider);
        _requirements = ProviderRequirements.For(_detection.Provider);
    }

    private int TimeoutMilliseconds => (int)Math.Min(int.MaxValue, _options.StepTimeout.TotalMilliseconds);

    private bool HasUserName => !string.IsNullOrEmpty(_account.UserName);

    public async Task<DiagnosticReport> RunAsync(CancellationToken cancellationToken)
    {
        var checkedAt = _time.GetUtcNow();
        DiagnosticsLog.Started(_logger, _endpoint);
        await ProbeAsync(cancellationToken).ConfigureAwait(false);
        if (!_senderChecked && !string.IsNullOrWhiteSpace(_account.FromAddress) && _findings.StatusOf(DiagnosticCheck.Settings) is not null)
        {
            _findings.Note(DiagnosticCheck.Settings, $"The From address was not checked: {_notCheckedBecause}.");
        }

        AddProviderKnowledge();
        AddRecordedHealth();

        var named = _account.Provider is null ? null : _account.ResolvePreset()?.Name;
        var report = new DiagnosticReport(_host, _port, _security, _findings.Build(_notCheckedBecause))
        {
            Provider = named ?? _requirements?.Name,
            ProviderBecause = named is not null ? $"the account names its provider \"{_account.Provider!.Trim()}\"" : _requirements is null ? null : _detection.Because,
            SuggestedSecurity = _suggested,
            Steps = [.. _steps],
            CheckedAt = checkedAt,
        };
        var failed = report.Findings.Count(f => f.Status == DiagnosticStatus.Fail);
        var warnings = report.Findings.Count(f => f.Status == DiagnosticStatus.Warning);
        DiagnosticsLog.Finished(_logger, _endpoint, report.IsHealthy, failed, warnings);

        return report;
    }

    private async Task ProbeAsync(CancellationToken cancellationToken)
    {
        if (!CheckSettings())
        {
            return;
        }

        var addresses = await ResolveAsync(cancellationToken).ConfigureAwait(false);
        if (addresses is null)
        {
            return;
        }

        var socket = await ConnectAsync(addresses, cancellationToken).ConfigureAwait(false);
        if (socket is null)
        {
            return;
        }

        var log = new DiagnosticProtocolLog(new SmtpStageTracker());
        var certificates = new DiagnosticCertificateCheck(_host, _account.TrustedCertificateAuthorities);
        using var client = new DiagnosticSmtpClient(log)
        {
            Timeout = TimeoutMilliseconds,
            SslProtocols = SmtpConnection.AllowedTlsProtocols,
            ServerCertificateValidationCallback = certificates.Validate,
        };

        try
        {
            var completed = await OpenSessionAsync(client, socket, log, certificates, addresses, cancellationToken).ConfigureAwait(false)
                && CheckCapabilities(client)
                && await AuthenticateAsync(client, log, certificates, cancellationToken).ConfigureAwait(false)
                && await CheckSenderAsync(client, log, certificates, cancellationToken).ConfigureAwait(false);
            if (completed)
            {
                await SendTestMessageAsync(client, log, certificates, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            await QuitAsync(client, _time).ConfigureAwait(false);
            socket.Dispose();
        }
    }

    // ---- Steps

    private bool CheckSettings()
    {
        // No From address means "do not check the sender", not a broken account: the CLI allows leaving it out.
        var fromMissing = string.IsNullOrWhiteSpace(_account.FromAddress);
        var errors = _account.Validate()
            .Where(e => !(fromMissing && e.StartsWith(nameof(SmtpAccountSettings.FromAddress) + " ", StringComparison.Ordinal)))
            .ToList();
        if (errors.Count == 0)
        {
            return true;
        }

        var failure = SmtpFailureClassifier.Misconfigured(errors);
        AddStep($"Check the settings: {failure.Reply}");
        AddFailure("settings", failure, "The settings cannot work as they are.");
        Stop("the settings must be fixed first");
        return false;
    }

    private async Task<IPAddress[]?> ResolveAsync(CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(_host, out var literal))
        {
            AddStep($"Resolve {_host}: an IP address, nothing to resolve.");
            return [literal];
        }

        using var step = new DiagnosticStep(_time, _options.StepTimeout, cancellationToken);
        try
        {
            var addresses = await _resolveHost(_host, step.Token).ConfigureAwait(false);
            if (addresses.Length == 0)
            {
                throw new SocketException((int)SocketError.HostNotFound);
            }

            AddStep($"Resolve {_host}: {string.Join(", ", addresses.Take(4))} ({step.Elapsed}).");
            return addresses;
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            var error = step.Explain(ex);
            var failure = Classify(new SmtpTransportException(SmtpStage.Connect, null, $"The host name {_host} could not be resolved: {error.Message}", error));
            AddStep($"Resolve {_host}: failed: {error.Message} ({step.Elapsed}).");
            AddFailure("resolve", failure, $"The server name {_host} was not found.");
            Stop("the server name was not found");
            return null;
        }
    }

    private async Task<Socket?> ConnectAsync(IPAddress[] addresses, CancellationToken cancellationToken)
    {
        using var step = new DiagnosticStep(_time, _options.StepTimeout, cancellationToken);
        var (socket, error) = await ConnectSocketAsync(addresses, step, cancellationToken).ConfigureAwait(false);
        if (socket is not null)
        {
            AddStep($"Connect to {socket.RemoteEndPoint}: connected ({step.Elapsed}).");
            return socket;
        }

        var failure = Classify(new SmtpTransportException(SmtpStage.Connect, null, $"Could not connect to {_endpoint}: {error!.Message}", error));
        AddStep($"Connect to {_endpoint}: failed: {error.Message} ({step.Elapsed}).");
        var summary = error is SocketException { SocketErrorCode: SocketError.ConnectionRefused }
            ? $"Nothing accepts connections on port {_port} of {_host}."
            : error is TimeoutException
                ? $"{_endpoint} did not answer within {Seconds(_options.StepTimeout)}."
                : $"Could not connect to {_endpoint}.";
        AddFailure("connect", failure, summary);
        Stop("the connection to the server failed");
        return null;
    }

    private async Task<bool> OpenSessionAsync(DiagnosticSmtpClient client, Socket socket, DiagnosticProtocolLog log, DiagnosticCertificateCheck certificates, IPAddress[] addresses, CancellationToken cancellationToken)
    {
        var what = $"Greeting, TLS and EHLO ({SecurityNames.ForOwner(_security)})";
        using var step = new DiagnosticStep(_time, _options.StepTimeout, cancellationToken);
        try
        {
            log.Tracker.BeginOperation(SmtpStage.Connect);
            await client.ConnectAsync(socket, _host, _port, SmtpSecurityMapping.ToSocketOptions(_security), step.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            var failure = Classify(SmtpFailureTranslator.Translate(step.Explain(ex), log.Tracker, certificates.Validator, _endpoint, _options.StepTimeout));
            AddStep($"{what}: failed at {StageName(failure.Stage)}: {Evidence(failure)} ({step.Elapsed}).");
            var suggestion = IsModeProblem(failure) ? await SuggestSecurityAsync(addresses, cancellationToken).ConfigureAwait(false) : null;
            AddFailure("session", failure, SessionFailureSummary(failure, log), suggestion);
            Stop(failure.Stage is SmtpStage.Tls ? "the secure connection failed" : "the server did not complete its greeting");
            return false;
        }

        var tls = client.IsSecure ? $", {Describe(client.SslProtocol)}, {certificates.Describe()}" : string.Empty;
        AddStep($"{what}: {log.Greeting}{tls} ({step.Elapsed}).");
        RecognizeProvider(log.Tracker.ServerBanner);
        _findings.Add(DiagnosticCheck.AccountWorking, DiagnosticStatus.Pass, "The server answered and is ready to take mail.", reply: log.Greeting);
        _findings.Add(DiagnosticCheck.Settings, DiagnosticStatus.Pass, $"Reached {_endpoint} with {SecurityNames.ForOwner(_security)}{tls}.");

        if (!client.IsSecure)
        {
            if (client.Capabilities.HasFlag(SmtpCapabilities.StartTLS))
            {
                _suggested = SmtpSecurity.StartTls;
                _findings.Add(DiagnosticCheck.Settings, DiagnosticStatus.Warning, "The connection is not encrypted, although the server offers STARTTLS.",
                    advice: "Set Security to STARTTLS in Custom SMTP Configuration so your password and emails travel encrypted.");
            }
            else
            {
                _findings.Add(DiagnosticCheck.Settings, DiagnosticStatus.Warning, "The connection is not encrypted and the server offers no encryption on this port.",
                    advice: "Unless this server is on your own trusted network, use your provider's encrypted port (usually 465 with SSL/TLS, or 587 with STARTTLS) in Custom SMTP Configuration.");
            }
        }

        return true;
    }

    private bool CheckCapabilities(DiagnosticSmtpClient client)
    {
        var capabilities = client.Capabilities;
        var mechanisms = client.AuthenticationMechanisms.Order(StringComparer.OrdinalIgnoreCase).ToList();
        var encryption = _security switch
        {
            SmtpSecurity.ImplicitTls => "TLS from the first byte",
            SmtpSecurity.StartTls => "STARTTLS (used)",
            _ => capabilities.HasFlag(SmtpCapabilities.StartTLS) ? "STARTTLS (not used)" : "no STARTTLS",
        };
        var signIn = mechanisms.Count > 0 ? $"sign-in with {string.Join(", ", mechanisms)}" : "no sign-in (AUTH)";
        var size = client.MaxSize > 0 ? $"messages up to {Megabytes(client.MaxSize)}" : "no message size limit announced";
        AddStep($"Capabilities: {capabilities}; AUTH {(mechanisms.Count > 0 ? string.Join(' ', mechanisms) : "none")}; SIZE {(client.MaxSize > 0 ? client.MaxSize.ToString(CultureInfo.InvariantCulture) : "not announced")}.");
        _findings.Add(DiagnosticCheck.ProviderRequirements, DiagnosticStatus.Pass, $"The server offers {encryption}, {signIn}; {size}.");

        if (!HasUserName)
        {
            return true;
        }

        // Before looking at AUTH: servers often offer it only after STARTTLS, and the real problem is the mode.
        if (!client.IsSecure && !_account.AllowAuthenticationWithoutTls)
        {
            // The refusal is this library's rule, not the server's: say so rather than blame the provider.
            var refused = SmtpSecurityMapping.PlainAuthenticationRefused(_endpoint);
            var offersStartTls = capabilities.HasFlag(SmtpCapabilities.StartTLS);
            var failure = new SmtpFailure(SmtpFailureKind.Misconfigured, isAccountLevel: true, isTransient: false,
                $"PetSitter.Email never sends a password over an unencrypted connection, and Security is {SecurityNames.ForOwner(_security)}: "
                + (offersStartTls
                    ? $"this server offers STARTTLS on port {_port}, so set Security to STARTTLS in Custom SMTP Configuration."
                    : "use your provider's encrypted port (usually 465 with SSL/TLS, or 587 with STARTTLS) in Custom SMTP Configuration.")
                + (mechanisms.Count > 0 ? $" (The server itself offers sign-in ({string.Join(", ", mechanisms)}) without encryption; only on a trusted network of your own may AllowAuthenticationWithoutTls be set.)" : string.Empty),
                SmtpStage.Authenticate, statusCode: null, reply: refused.Reply)
            {
                RuleName = "library-refuses-plain-authentication",
            };
            if (offersStartTls)
            {
                _suggested = SmtpSecurity.StartTls;
            }

            AddStep("Sign in: not attempted (the connection is not encrypted).");
            AddFailure("sign-in", failure, "The password was not sent: the connection is not encrypted, and the library never sends a password in clear text.");
            Stop("the password was not sent over an unencrypted connection");
            return false;
        }

        if (mechanisms.Count == 0)
        {
            var failure = Classify(new SmtpTransportException(SmtpStage.Authenticate, null, "The SMTP server does not support authentication on this connection.", new NotSupportedException("The SMTP server does not support authentication.")));
            var suggestion = !client.IsSecure && capabilities.HasFlag(SmtpCapabilities.StartTLS) ? SuggestStartTls() : null;
            AddFailure("capabilities", failure, "The server offers no way to sign in on this connection.", suggestion);
            Stop("the server offers no way to sign in");
            return false;
        }

        if (_account.UsesAccessTokens && !mechanisms.Contains(SmtpSignIn.OAuth2Mechanism, StringComparer.OrdinalIgnoreCase))
        {
            var failure = Classify(new SmtpTransportException(SmtpStage.Authenticate, null, $"No compatible authentication mechanisms found: the account signs in with OAuth2 (XOAUTH2) and the server offers only {string.Join(", ", mechanisms)}."));
            AddFailure("capabilities", failure, $"The server does not offer OAuth2 (XOAUTH2) sign-in, only {string.Join(", ", mechanisms)}.");
            Stop("the server takes no OAuth2 token");
            return false;
        }

        if (!_account.UsesAccessTokens && !mechanisms.Any(IsPasswordMechanism))
        {
            var failure = Classify(new SmtpTransportException(SmtpStage.Authenticate, null, $"No compatible authentication mechanisms found: the server offers only {string.Join(", ", mechanisms)}."));
            AddFailure("capabilities", failure, $"The server offers only {string.Join(", ", mechanisms)} sign-in, which needs the provider's own sign-in (OAuth2) rather than a password.");
            Stop("the server takes no password");
            return false;
        }

        return true;
    }

    private async Task<bool> AuthenticateAsync(DiagnosticSmtpClient client, DiagnosticProtocolLog log, DiagnosticCertificateCheck certificates, CancellationToken cancellationToken)
    {
        if (!HasUserName)
        {
            _findings.Add(DiagnosticCheck.Password, DiagnosticStatus.NotChecked, "No user name is set: the account sends without signing in.");
            AddStep("Sign in: skipped (no user name).");
            return true;
        }

        // One mechanism only, as the sending path does: a wrong password tried with PLAIN and then LOGIN
        // would cost two failed sign-ins, and providers lock mailboxes after a few.
        var mechanism = SmtpSignIn.ChooseMechanism(_account, client.AuthenticationMechanisms) ?? SmtpSignIn.OAuth2Mechanism;
        using var step = new DiagnosticStep(_time, _options.StepTimeout, cancellationToken);
        var repliesBefore = log.ReplyCount;
        try
        {
            log.Tracker.BeginOperation(SmtpStage.Authenticate);
            await SmtpSignIn.AuthenticateAsync(client, _account, log.Tracker, step.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            var translated = SmtpFailureTranslator.Translate(step.Explain(ex), log.Tracker, certificates.Validator, _endpoint, _options.StepTimeout);

            // MailKit moves on from a 534 ("mechanism too weak", Gmail's "app password required") to the
            // next mechanism and, with none left, reports a bare "Authentication failed.": the reply itself,
            // which says what is wrong, is in the log.
            // The transport keeps only the code of that reply; the diagnosis keeps its text as evidence.
            if (translated.EnhancedStatusCode is null && log.LastErrorAfter(repliesBefore) is var (code, text))
            {
                translated = new SmtpTransportException(SmtpStage.Authenticate, code, text, ex);
            }

            var failure = Classify(SmtpSecretScrubber.Scrub(translated, _account.Password));
            AddStep($"Sign in as {_account.UserName} (AUTH {mechanism}): failed: {Evidence(failure)} ({step.Elapsed}).");
            var summary = failure.Kind switch
            {
                SmtpFailureKind.AuthenticationFailed or SmtpFailureKind.CredentialsExpired => _account.UsesAccessTokens
                    ? $"The sign-in for {_account.UserName} with an OAuth2 access token failed (AUTH {mechanism}): the token was refused or could not be renewed."
                    : $"The server refused the user name or password for {_account.UserName} (AUTH {mechanism}).",
                SmtpFailureKind.Transient when failure.StatusCode is null => $"The connection was lost while signing in as {_account.UserName}.",
                _ => $"The server refused the sign-in for {_account.UserName} (AUTH {mechanism}).",
            };
            AddFailure("sign-in", failure, summary);
            Stop(failure.Kind switch
            {
                SmtpFailureKind.AuthenticationFailed or SmtpFailureKind.CredentialsExpired => "the sign-in failed",
                SmtpFailureKind.Transient when failure.StatusCode is null => "the connection was lost while signing in",
                _ => "the server refused the sign-in before judging the password",
            });
            return false;
        }

        AddStep($"Sign in as {_account.UserName} (AUTH {mechanism}): {log.LastReply} ({step.Elapsed}).");
        _findings.Add(DiagnosticCheck.Password, DiagnosticStatus.Pass, $"Signed in as {_account.UserName} (AUTH {mechanism}).", reply: log.LastReply);
        return true;
    }

    private async Task<bool> CheckSenderAsync(DiagnosticSmtpClient client, DiagnosticProtocolLog log, DiagnosticCertificateCheck certificates, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(_account.FromAddress))
        {
            AddStep("MAIL FROM: skipped (no From address).");
            _findings.Note(DiagnosticCheck.Settings, "No From address was given, so the sender was not checked.");
            _findings.Note(DiagnosticCheck.SendLimits, "No From address was given, so the server was not asked to take a sender.");
            return true;
        }

        var from = MailboxAddress.Parse(_account.FromAddress).Address;
        var command = $"MAIL FROM:<{from}>";
        if (!from.All(char.IsAscii) && client.Capabilities.HasFlag(SmtpCapabilities.UTF8))
        {
            command += " SMTPUTF8";
        }

        using var step = new DiagnosticStep(_time, _options.StepTimeout, cancellationToken);
        SmtpResponse response;
        try
        {
            log.Tracker.BeginOperation(SmtpStage.MailFrom);
            response = await client.CommandAsync(command, step.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            var lost = Classify(SmtpFailureTranslator.Translate(step.Explain(ex), log.Tracker, certificates.Validator, _endpoint, _options.StepTimeout));
            AddStep($"{command}: failed: {Evidence(lost)} ({step.Elapsed}).");
            AddFailure("sender", lost, $"The connection was lost while checking the From address {from}.");
            Stop("the connection was lost");
            return false;
        }

        _senderChecked = true;
        var code = (int)response.StatusCode;
        var reply = $"{code} {response.Response}";
        var stage = SmtpStage.MailFrom;
        var steps = $"{command}: {reply}";
        if (code is >= 200 and < 300)
        {
            // Postfix and others judge the sender only at RCPT TO (reject_sender_login_mismatch with
            // smtpd_delay_reject): name one recipient, the From address itself, so a sender refused there
            // is found too. RSET then ends the transaction before DATA, so nothing is sent.
            var rcpt = $"RCPT TO:<{from}>";
            SmtpResponse recipient;
            try
            {
                log.Tracker.BeginOperation(SmtpStage.RcptTo);
                recipient = await client.CommandAsync(rcpt, step.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                var lost = Classify(SmtpFailureTranslator.Translate(step.Explain(ex), log.Tracker, certificates.Validator, _endpoint, _options.StepTimeout));
                AddStep($"{steps}; {rcpt}: failed: {Evidence(lost)} ({step.Elapsed}).");
                AddFailure("sender", lost, $"The connection was lost while checking the From address {from}.");
                Stop("the connection was lost");
                return false;
            }

            var recipientCode = (int)recipient.StatusCode;
            var recipientReply = $"{recipientCode} {recipient.Response}";
            steps = $"{steps}; {rcpt}: {recipientReply}";
            var refusedAsRecipient = recipientCode is >= 200 and < 300
                ? null
                : Classify(new SmtpTransportException(SmtpStage.RcptTo, recipientCode, recipient.Response));
            if (refusedAsRecipient is null || refusedAsRecipient.Kind == SmtpFailureKind.RecipientRejected)
            {
                // RSET ends the transaction so nothing is sent; its answer does not change the verdict.
                var reset = await ResetAsync(client, step.Token).ConfigureAwait(false);
                AddStep($"{steps}; RSET: {reset} ({step.Elapsed}).");
                _findings.Add(DiagnosticCheck.Settings, DiagnosticStatus.Pass, $"The From address {from} is accepted.", reply: reply);
                _findings.Add(DiagnosticCheck.SendLimits, DiagnosticStatus.Pass, "The server accepted a sender without reporting a sending limit reached.", reply: reply);
                if (refusedAsRecipient is not null)
                {
                    // Only the address as a recipient was refused (it has no mailbox here): replies to it may bounce.
                    _findings.Add(DiagnosticCheck.Settings, DiagnosticStatus.Warning, $"The server takes {from} as the sender, but refuses it as a recipient.",
                        refusedAsRecipient.Kind, recipientReply,
                        $"Check that {from} is a mailbox that receives mail: clients' replies go to it (or to the Reply-To address).");
                }

                return true;
            }

            code = recipientCode;
            reply = recipientReply;
            response = recipient;
            stage = SmtpStage.RcptTo;
        }

        var failure = Classify(new SmtpTransportException(stage, code, response.Response));
        AddStep($"{steps} ({step.Elapsed}).");
        var summary = failure.Kind switch
        {
            SmtpFailureKind.SendLimitReached => $"The provider refused the sender {from}: a sending limit is reached.{ResetNote(failure)}",
            SmtpFailureKind.Misconfigured => $"The server refused {from} as the sender.",
            _ => $"The server refused the sender {from}.",
        };
        var suggestion = !client.IsSecure && failure.Kind == SmtpFailureKind.ProviderRequirementsChanged && client.Capabilities.HasFlag(SmtpCapabilities.StartTLS)
            ? SuggestStartTls()
            : null;
        AddFailure("sender", failure, summary, suggestion);
        Stop("the sender was refused");
        return false;
    }

    private async Task SendTestMessageAsync(DiagnosticSmtpClient client, DiagnosticProtocolLog log, DiagnosticCertificateCheck certificates, CancellationToken cancellationToken)
    {
        var from = string.IsNullOrWhiteSpace(_account.FromAddress) ? null : MailboxAddress.Parse(_account.FromAddress).Address;
        if (_options.TestRecipient is not { } to)
        {
            _findings.Add(DiagnosticCheck.SpamReputation, DiagnosticStatus.NotChecked,
                "Only a real test message can show a spam refusal, and none was asked for.",
                advice: $"If clients find your emails in spam or junk, ask them to save {from ?? "your address"} as a safe sender.");
            return;
        }

        if (from is null)
        {
            _findings.Add(DiagnosticCheck.SpamReputation, DiagnosticStatus.NotChecked, "A test message needs a From address, and none was given.");
            return;
        }

        using var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = "PetSitter.Email test message";
        message.Date = _time.GetUtcNow();
        message.Body = new TextPart("plain")
        {
            Text = $"This message was sent by the PetSitter.Email diagnosis to check that {_host} accepts and sends mail from {from}. Nothing needs doing.",
        };

        using var step = new DiagnosticStep(_time, _options.StepTimeout, cancellationToken);
        try
        {
            log.Tracker.BeginOperation(SmtpStage.MailFrom);
            var reply = await client.SendAsync(message, step.Token).ConfigureAwait(false);
            AddStep($"Test message to {to}: {reply} ({step.Elapsed}).");
            _findings.Add(DiagnosticCheck.AccountWorking, DiagnosticStatus.Pass, $"A test message to {to} was accepted for delivery.", reply: reply);
            _findings.Add(DiagnosticCheck.SpamReputation, DiagnosticStatus.Pass, $"Your provider accepted the test message to {to} without calling it spam.", reply: reply,
                advice: $"Check that it arrived in the inbox rather than spam or junk; if clients find your emails there, ask them to save {from} as a safe sender.");
        }
        catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            var failure = Classify(SmtpFailureTranslator.Translate(step.Explain(ex), log.Tracker, certificates.Validator, _endpoint, _options.StepTimeout));
            AddStep($"Test message to {to}: failed at {StageName(failure.Stage)}: {Evidence(failure)} ({step.Elapsed}).");

            // The account got this far, so a refusal of this message or this recipient is a warning about
            // the test, not a verdict on the account.
            var aboutTheMessage = !failure.IsAccountLevel && failure.Kind is not SmtpFailureKind.RejectedAsSpam;
            var summary = failure.Kind == SmtpFailureKind.RejectedAsSpam
                ? $"Your provider refused the test message to {to} as spam."
                : $"The test message to {to} was not accepted.";
            AddFailure("test message", failure, summary, status: aboutTheMessage ? DiagnosticStatus.Warning : DiagnosticStatus.Fail);
        }
    }

    private async Task<SmtpSecurity?> ProbeSecurityAsync(IPAddress[] addresses, SmtpSecurity candidate, CancellationToken cancellationToken)
    {
        using var step = new DiagnosticStep(_time, _options.StepTimeout, cancellationToken);
        var (socket, _) = await ConnectSocketAsync(addresses, step, cancellationToken).ConfigureAwait(false);
        if (socket is null)
        {
            return null;
        }

        var certificates = new DiagnosticCertificateCheck(_host, _account.TrustedCertificateAuthorities);
        using var client = new SmtpClient(new SmtpStageTracker())
        {
            Timeout = TimeoutMilliseconds,
            SslProtocols = SmtpConnection.AllowedTlsProtocols,
            ServerCertificateValidationCallback = certificates.Validate,
        };
        SmtpSecurity? found;
        try
        {
            var options = candidate == SmtpSecurity.ImplicitTls ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.None;
            await client.ConnectAsync(socket, _host, _port, options, step.Token).ConfigureAwait(false);
            found = candidate == SmtpSecurity.ImplicitTls ? SmtpSecurity.ImplicitTls
                : client.Capabilities.HasFlag(SmtpCapabilities.StartTLS) ? SmtpSecurity.StartTls
                : SmtpSecurity.None;
        }
        catch (SslHandshakeException) when (candidate == SmtpSecurity.ImplicitTls && certificates.Presented)
        {
            // It speaks TLS from the first byte; its certificate is another matter, reported once the mode is right.
            found = SmtpSecurity.ImplicitTls;
        }
        catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            found = null;
        }
        finally
        {
            await QuitAsync(client, _time).ConfigureAwait(false);
            socket.Dispose();
        }

        AddStep($"Try {SecurityNames.ForOwner(candidate)} on port {_port}: {(found is { } mode ? $"the server speaks {SecurityNames.ForOwner(mode)}" : "no answer")} ({step.Elapsed}).");
        return found;
    }

    // ---- What the report knows without the server

    private void AddProviderKnowledge()
    {
        AddLimits();
        if (_requirements is not { } provider)
        {
            return;
        }

        _findings.Note(DiagnosticCheck.ProviderRequirements, $"{provider.Name} requires {provider.SignIn}.");
        if (!provider.Serves(_port, _security))
        {
            _findings.Note(DiagnosticCheck.Settings, $"{provider.Name} serves SMTP on {provider.DescribeEndpoints()}.");
        }

        if (HasUserName && provider.RefusesPasswords && !_account.UsesAccessTokens)
        {
            _findings.Add(DiagnosticCheck.ProviderRequirements, DiagnosticStatus.Warning, $"{provider.Name} no longer accepts a password for SMTP.",
                SmtpFailureKind.ProviderRequirementsChanged,
                advice: $"{provider.Name} accepts only Microsoft sign-in (OAuth2): connect your account with Microsoft sign-in, or send through another email account, in Custom SMTP Configuration.");
        }

        if (HasUserName && !_account.UsesAccessTokens && provider.AnnouncedChange is { } change)
        {
            _findings.Add(DiagnosticCheck.ProviderRequirements, DiagnosticStatus.Warning, $"{provider.Name} has announced the end of password sign-in for SMTP.",
                SmtpFailureKind.ProviderRequirementsChanged, advice: change);
        }

        if (provider.MaxConnections is { } cap && _account.MaxConnections > cap)
        {
            _findings.Add(DiagnosticCheck.Settings, DiagnosticStatus.Warning, $"{provider.Name} takes at most {cap} connections at once per mailbox, and MaxConnections is {_account.MaxConnections}.",
                SmtpFailureKind.Misconfigured,
                advice: $"Set MaxConnections to {cap} or less for this account: {provider.Name} refuses further connections (\"432 4.3.2 Concurrent connections limit exceeded\").");
        }
        else if (provider.MaxConnections is { } limit)
        {
            _findings.Note(DiagnosticCheck.ProviderRequirements, $"{provider.Name} takes at most {limit} connections at once per mailbox.");
        }

        if (provider.FromMustMatchAccount && DomainOf(_account.FromAddress) is { } fromDomain && DomainOf(_account.UserName) is { } userDomain
            && !string.Equals(fromDomain, userDomain, StringComparison.OrdinalIgnoreCase))
        {
            _findings.Add(DiagnosticCheck.Settings, DiagnosticStatus.Warning, $"{provider.Name} sends only From addresses of the account's own domain ({userDomain}), and the From address is at {fromDomain}.",
                SmtpFailureKind.Misconfigured,
                advice: $"Use a From address at {userDomain}, or sign in with the mailbox of {fromDomain}, in Custom SMTP Configuration.");
        }
    }

    /// <summary>The limits the library will hold this account to: its provider's preset with the account's own overrides.</summary>
    private void AddLimits()
    {
        var preset = _account.ResolvePreset();
        var limits = _account.EffectiveLimits();
        if (limits.IsUnlimited)
        {
            _findings.Note(DiagnosticCheck.SendLimits, preset is null || preset == ProviderPresets.Custom
                ? "No sending limits are known for this server: the library goes by the provider's own \"limit reached\" replies."
                : $"{preset.Name} publishes no sending limits: the library goes by its own \"limit reached\" replies.");
            return;
        }

        var source = preset is null || preset == ProviderPresets.Custom
            ? "the account's own limits"
            : _account.Limits is { IsUnlimited: false }
                ? $"{preset.Name}'s limits with the account's overrides"
                : preset.IsVerified ? $"{preset.Name}'s published limits" : $"{preset.Name}'s limits (from third-party reports, not the provider)";
        _findings.Note(DiagnosticCheck.SendLimits, $"The library keeps this account within {source}: {limits}.");
    }

    private void AddRecordedHealth()
    {
        if (_options.RecordedHealth is not { State: not AccountHealthState.Healthy, Kind: { } kind } health)
        {
            return;
        }

        var check = DiagnosticQuestions.CheckFor(kind);
        var since = health.Since is { } at ? $" since {Utc(at)}" : string.Empty;
        var summary = health.State == AccountHealthState.Throttled
            ? $"The library has held this account{since}: the provider reported a sending limit reached{(health.Until is { } until ? $"; sending through the account resumes at {Utc(until)}" : string.Empty)}."
            : $"The library has recorded this account failing ({kind}){since}{(health.Until is { } next ? $"; it tries the account again at {Utc(next)}" : string.Empty)}.";

        // A recorded failure the live check no longer shows still holds the account until the library retries it.
        var liveFailed = _findings.StatusOf(check) == DiagnosticStatus.Fail;
        var advice = liveFailed ? health.Advice : health.Advice is null ? null : $"{health.Advice} The live check now passes this question: sending resumes when the library next tries the account.";
        _findings.Add(check, DiagnosticStatus.Warning, summary, kind, health.LastReply, advice);
    }

    // ---- Helpers

    private void AddFailure(string step, SmtpFailure failure, string summary, string? suggestion = null, DiagnosticStatus status = DiagnosticStatus.Fail)
    {
        DiagnosticsLog.StepFailed(_logger, _endpoint, step, failure.Stage, failure.Kind);
        var advice = suggestion is null ? failure.Advice : $"{failure.Advice} {suggestion}";
        _findings.Add(DiagnosticQuestions.CheckFor(failure.Kind), status, summary, failure.Kind, Evidence(failure), advice);
    }

    private void Stop(string reason) => _notCheckedBecause = reason;

    /// <summary>Records a step on one line: multi-line replies are joined with " / ".</summary>
    private void AddStep(string text) => _steps.Add(text.ReplaceLineEndings(" / "));

    private SmtpFailure Classify(SmtpTransportException exception)
    {
        exception.ServerBanner ??= _banner;
        return SmtpFailureClassifier.Classify(exception, _host, _account.Provider);
    }

    /// <summary>An owner's own host name says nothing: the server's greeting and EHLO may name the provider behind it.</summary>
    private void RecognizeProvider(string? banner)
    {
        _banner = banner;
        if (_detection.Provider != KnownSmtpProvider.Unknown)
        {
            return;
        }

        _detection = KnownSmtpProviders.Detect(_host, _account.Provider, banner);
        _requirements = ProviderRequirements.For(_detection.Provider);
        if (_requirements is { } provider)
        {
            AddStep($"Provider: {provider.Name}, recognised because {_detection.Because}.");
        }
    }

    private async Task<string?> SuggestSecurityAsync(IPAddress[] addresses, CancellationToken cancellationToken)
    {
        var candidate = _security == SmtpSecurity.ImplicitTls ? SmtpSecurity.StartTls : SmtpSecurity.ImplicitTls;
        var found = await ProbeSecurityAsync(addresses, candidate, cancellationToken).ConfigureAwait(false);
        if (found is { } mode && mode != _security)
        {
            _suggested = mode;
            return mode switch
            {
                SmtpSecurity.ImplicitTls => $"This server starts with TLS on port {_port} (SSL/TLS), not {SecurityNames.ForOwner(_security)}: set Security to SSL/TLS.",
                SmtpSecurity.StartTls => $"This server answers in plain text on port {_port} and offers STARTTLS: set Security to STARTTLS.",
                _ => $"This server answers in plain text on port {_port} and offers no encryption there: ask your provider for its encrypted port.",
            };
        }

        // No answer either way: fall back to what the port and the provider say.
        var providerMode = _requirements?.Endpoints.Where(e => e.Port == _port).Select(e => (SmtpSecurity?)e.Security).FirstOrDefault();
        var byPort = providerMode ?? (_port == 465 ? SmtpSecurity.ImplicitTls : _port is 587 or 25 ? SmtpSecurity.StartTls : null);
        if (byPort is { } usual && usual != _security)
        {
            _suggested = usual;
            return $"Port {_port} normally uses {SecurityNames.ForOwner(usual)}: set Security to {SecurityNames.ForOwner(usual)}.";
        }

        return _requirements is { } provider ? $"{provider.Name} serves SMTP on {provider.DescribeEndpoints()}." : null;
    }

    private string SuggestStartTls()
    {
        _suggested = SmtpSecurity.StartTls;
        return $"The server offers STARTTLS on port {_port}: set Security to STARTTLS.";
    }

    private string SessionFailureSummary(SmtpFailure failure, DiagnosticProtocolLog log) => failure.Stage switch
    {
        SmtpStage.Tls when failure.RuleName == "tls-certificate" => $"The server's certificate is not trusted: {CertificateReason(failure)}",
        SmtpStage.Tls => $"The secure connection (TLS) to {_endpoint} failed.",
        SmtpStage.Greeting when failure.StatusCode is { } code => $"The server refused the connection with {code} instead of a greeting.",
        SmtpStage.Greeting => $"The server accepted the connection but did not greet within {Seconds(_options.StepTimeout)}.",
        SmtpStage.Ehlo when log.Greeting is not null => "The server greeted, then failed while announcing what it supports (EHLO/STARTTLS).",
        _ => $"The connection to {_endpoint} failed before it was ready for mail.",
    };

    private static string CertificateReason(SmtpFailure failure)
    {
        var reply = failure.Reply ?? string.Empty;
        var colon = reply.IndexOf(": ", StringComparison.Ordinal);
        return colon >= 0 ? reply[(colon + 2)..] : reply;
    }

    private static bool IsModeProblem(SmtpFailure failure) =>
        failure.RuleName is "tls-handshake" or "greeting-timeout" or "tls-version-refused"
        || (failure.Kind == SmtpFailureKind.Transient && failure.Stage is SmtpStage.Tls or SmtpStage.Greeting && failure.StatusCode is null);

    private static bool IsPasswordMechanism(string mechanism) =>
        mechanism.Equals("PLAIN", StringComparison.OrdinalIgnoreCase) || mechanism.Equals("LOGIN", StringComparison.OrdinalIgnoreCase);

    private async Task<(Socket? Socket, Exception? Error)> ConnectSocketAsync(IPAddress[] addresses, DiagnosticStep step, CancellationToken cancellationToken)
    {
        Exception? error = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, _port), step.Token).ConfigureAwait(false);
                return (socket, null);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                socket.Dispose();
                error = step.Explain(ex);
                if (error is TimeoutException)
                {
                    break;
                }
            }
        }

        return (null, error ?? new SocketException((int)SocketError.HostNotFound));
    }

    private static async Task<string> ResetAsync(DiagnosticSmtpClient client, CancellationToken cancellationToken)
    {
        try
        {
            var reset = await client.CommandAsync("RSET", cancellationToken).ConfigureAwait(false);
            return $"{(int)reset.StatusCode} {reset.Response}";
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return $"no answer ({ex.GetType().Name})";
        }
    }

    private static async Task QuitAsync(SmtpClient client, TimeProvider time)
    {
        if (!client.IsConnected)
        {
            return;
        }

        try
        {
            // QUIT is a courtesy, bounded by its own short timeout whatever the caller's state.
            client.Timeout = (int)Math.Min(client.Timeout, QuitTimeout.TotalMilliseconds);
            using var quit = new CancellationTokenSource(QuitTimeout, time);
            await client.DisconnectAsync(quit: true, quit.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The connection is being closed anyway.
        }
    }

    private static string Evidence(SmtpFailure failure)
    {
        // MailKit's text for a dropped connection can carry the last reply it read (the EHLO list), which
        // reads as if the server had said it: the fact is that nothing came.
        if (failure.RuleName == "disconnected" && failure.StatusCode is null)
        {
            return $"The server closed the connection without a reply (at {StageName(failure.Stage)}).";
        }

        var reply = failure.Reply ?? string.Empty;
        if (failure.StatusCode is { } code && !reply.StartsWith(code.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal))
        {
            return string.Create(CultureInfo.InvariantCulture, $"{code} {reply}");
        }

        return reply;
    }

    private string ResetNote(SmtpFailure failure) =>
        failure.ResetsAfter is { } window
            ? $" Your provider counts it over {Hours(window)}: sending resumes by {Utc(_time.GetUtcNow() + window)} at the latest."
            : string.Empty;

    private static string StageName(SmtpStage? stage) => stage switch
    {
        SmtpStage.Connect => "connect",
        SmtpStage.Tls => "the TLS handshake",
        SmtpStage.Greeting => "the greeting",
        SmtpStage.Ehlo => "EHLO",
        SmtpStage.Authenticate => "sign-in",
        SmtpStage.MailFrom => "MAIL FROM",
        SmtpStage.RcptTo => "RCPT TO",
        SmtpStage.Data => "DATA",
        SmtpStage.AfterData => "the end of the message",
        _ => "an unknown point",
    };

    private static string? DomainOf(string? address)
    {
        var at = address?.LastIndexOf('@') ?? -1;
        return at > 0 && at < address!.Length - 1 ? address[(at + 1)..] : null;
    }

    private static string Describe(SslProtocols protocol) => protocol switch
    {
        SslProtocols.Tls13 => "TLS 1.3",
        SslProtocols.Tls12 => "TLS 1.2",
        _ => protocol.ToString(),
    };

    private static string Megabytes(uint bytes) =>
        string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024.0):0.#} MB");

    private static string Seconds(TimeSpan span) =>
        string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0.###} s");

    private static string Hours(TimeSpan span) =>
        span.TotalHours >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalHours:0.#} hours") : string.Create(CultureInfo.InvariantCulture, $"{span.TotalMinutes:0} minutes");

    private static string Utc(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
