using System.Globalization;
using System.Net;
using System.Net.Sockets;
using MailKit.Net.Smtp;
using MailKit.Security;

namespace PetSitter.Email.Diagnostics;

/// <summary>
/// The first step: resolve the host, open TCP, then TLS, greeting and EHLO in the configured security
/// mode, and read the capabilities. When the mode looks wrong for the port, one more connection tries the
/// other mode so the report can suggest it.
/// </summary>
internal sealed class ConnectStep
{
    private readonly DiagnosticContext _context;
    private readonly TimeProvider _time;
    private readonly Func<string, CancellationToken, Task<IPAddress[]>> _resolveHost;

    public ConnectStep(DiagnosticContext context, TimeProvider time, Func<string, CancellationToken, Task<IPAddress[]>> resolveHost)
    {
        _context = context;
        _time = time;
        _resolveHost = resolveHost;
    }

    /// <summary>Returns the open conversation, or <see langword="null"/> when the server was not reached or not ready for mail.</summary>
    public async Task<DiagnosticSession?> RunAsync(CancellationToken cancellationToken)
    {
        var addresses = await ResolveAsync(cancellationToken).ConfigureAwait(false);
        if (addresses is null)
        {
            return null;
        }

        var socket = await ConnectAsync(addresses, cancellationToken).ConfigureAwait(false);
        if (socket is null)
        {
            return null;
        }

        var log = new DiagnosticProtocolLog(new SmtpStageTracker());
        var certificates = new DiagnosticCertificateCheck(_context.Host, _context.Account.TrustedCertificateAuthorities);
        var client = new DiagnosticSmtpClient(log)
        {
            Timeout = _context.TimeoutMilliseconds,
            SslProtocols = SmtpConnection.AllowedTlsProtocols,
            ServerCertificateValidationCallback = certificates.Validate,
        };
        var session = new DiagnosticSession(socket, client, log, certificates, _time);
        try
        {
            if (await OpenSessionAsync(session, socket, addresses, cancellationToken).ConfigureAwait(false))
            {
                DescribeCapabilities(client);
                var opened = session;
                session = null;
                return opened;
            }

            return null;
        }
        finally
        {
            if (session is not null)
            {
                await session.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task<IPAddress[]?> ResolveAsync(CancellationToken cancellationToken)
    {
        var host = _context.Host;
        if (IPAddress.TryParse(host, out var literal))
        {
            _context.AddStep($"Resolve {host}: an IP address, nothing to resolve.");
            return [literal];
        }

        using var step = _context.BeginStep(_time, cancellationToken);
        try
        {
            var addresses = await _resolveHost(host, step.Token).ConfigureAwait(false);
            if (addresses.Length == 0)
            {
                throw new SocketException((int)SocketError.HostNotFound);
            }

            _context.AddStep($"Resolve {host}: {string.Join(", ", addresses.Take(4))} ({step.Elapsed}).");
            return addresses;
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            var error = step.Explain(ex);
            var failure = _context.Classify(new SmtpTransportException(SmtpStage.Connect, null, $"The host name {host} could not be resolved: {error.Message}", error));
            _context.AddStep($"Resolve {host}: failed: {error.Message} ({step.Elapsed}).");
            _context.AddFailure("resolve", failure, $"The server name {host} was not found.");
            _context.Stop("the server name was not found");
            return null;
        }
    }

    private async Task<Socket?> ConnectAsync(IPAddress[] addresses, CancellationToken cancellationToken)
    {
        var endpoint = _context.Endpoint;
        using var step = _context.BeginStep(_time, cancellationToken);
        var (socket, error) = await ConnectSocketAsync(addresses, step, cancellationToken).ConfigureAwait(false);
        if (socket is not null)
        {
            _context.AddStep($"Connect to {socket.RemoteEndPoint}: connected ({step.Elapsed}).");
            return socket;
        }

        var failure = _context.Classify(new SmtpTransportException(SmtpStage.Connect, null, $"Could not connect to {endpoint}: {error!.Message}", error));
        _context.AddStep($"Connect to {endpoint}: failed: {error.Message} ({step.Elapsed}).");
        var summary = error is SocketException { SocketErrorCode: SocketError.ConnectionRefused }
            ? $"Nothing accepts connections on port {_context.Port} of {_context.Host}."
            : error is TimeoutException
                ? $"{endpoint} did not answer within {DiagnosticText.Seconds(_context.Options.StepTimeout)}."
                : $"Could not connect to {endpoint}.";
        _context.AddFailure("connect", failure, summary);
        _context.Stop("the connection to the server failed");
        return null;
    }

    private async Task<bool> OpenSessionAsync(DiagnosticSession session, Socket socket, IPAddress[] addresses, CancellationToken cancellationToken)
    {
        var client = session.Client;
        var log = session.Log;
        var security = _context.Security;
        var what = $"Greeting, TLS and EHLO ({SecurityNames.ForOwner(security)})";
        using var step = _context.BeginStep(_time, cancellationToken);
        try
        {
            log.Tracker.BeginOperation(SmtpStage.Connect);
            await client.ConnectAsync(socket, _context.Host, _context.Port, SmtpSecurityMapping.ToSocketOptions(security), step.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            var failure = _context.Classify(ex, step, session);
            _context.AddStep($"{what}: failed at {DiagnosticText.StageName(failure.Stage)}: {DiagnosticText.Evidence(failure)} ({step.Elapsed}).");
            var suggestion = IsModeProblem(failure) ? await SuggestSecurityAsync(addresses, cancellationToken).ConfigureAwait(false) : null;
            _context.AddFailure("session", failure, SessionFailureSummary(failure, log), suggestion);
            _context.Stop(failure.Stage is SmtpStage.Tls ? "the secure connection failed" : "the server did not complete its greeting");
            return false;
        }

        var tls = client.IsSecure ? $", {DiagnosticText.Describe(client.SslProtocol)}, {session.Certificates.Describe()}" : string.Empty;
        _context.AddStep($"{what}: {log.Greeting}{tls} ({step.Elapsed}).");
        _context.RecognizeProvider(log.Tracker.ServerBanner);
        var findings = _context.Findings;
        findings.Add(DiagnosticCheck.AccountWorking, DiagnosticStatus.Pass, "The server answered and is ready to take mail.", reply: log.Greeting);
        findings.Add(DiagnosticCheck.Settings, DiagnosticStatus.Pass, $"Reached {_context.Endpoint} with {SecurityNames.ForOwner(security)}{tls}.");

        if (!client.IsSecure)
        {
            if (client.Capabilities.HasFlag(SmtpCapabilities.StartTLS))
            {
                _context.SuggestedSecurity = SmtpSecurity.StartTls;
                findings.Add(DiagnosticCheck.Settings, DiagnosticStatus.Warning, "The connection is not encrypted, although the server offers STARTTLS.",
                    advice: "Set Security to STARTTLS in Custom SMTP Configuration so your password and emails travel encrypted.");
            }
            else
            {
                findings.Add(DiagnosticCheck.Settings, DiagnosticStatus.Warning, "The connection is not encrypted and the server offers no encryption on this port.",
                    advice: "Unless this server is on your own trusted network, use your provider's encrypted port (usually 465 with SSL/TLS, or 587 with STARTTLS) in Custom SMTP Configuration.");
            }
        }

        return true;
    }

    private void DescribeCapabilities(DiagnosticSmtpClient client)
    {
        var capabilities = client.Capabilities;
        var mechanisms = client.AuthenticationMechanisms.Order(StringComparer.OrdinalIgnoreCase).ToList();
        var encryption = _context.Security switch
        {
            SmtpSecurity.ImplicitTls => "TLS from the first byte",
            SmtpSecurity.StartTls => "STARTTLS (used)",
            _ => capabilities.HasFlag(SmtpCapabilities.StartTLS) ? "STARTTLS (not used)" : "no STARTTLS",
        };
        var signIn = mechanisms.Count > 0 ? $"sign-in with {string.Join(", ", mechanisms)}" : "no sign-in (AUTH)";
        var size = client.MaxSize > 0 ? $"messages up to {DiagnosticText.Megabytes(client.MaxSize)}" : "no message size limit announced";
        _context.AddStep($"Capabilities: {capabilities}; AUTH {(mechanisms.Count > 0 ? string.Join(' ', mechanisms) : "none")}; SIZE {(client.MaxSize > 0 ? client.MaxSize.ToString(CultureInfo.InvariantCulture) : "not announced")}.");
        _context.Findings.Add(DiagnosticCheck.ProviderRequirements, DiagnosticStatus.Pass, $"The server offers {encryption}, {signIn}; {size}.");
    }

    private async Task<string?> SuggestSecurityAsync(IPAddress[] addresses, CancellationToken cancellationToken)
    {
        var security = _context.Security;
        var port = _context.Port;
        var candidate = security == SmtpSecurity.ImplicitTls ? SmtpSecurity.StartTls : SmtpSecurity.ImplicitTls;
        var found = await ProbeSecurityAsync(addresses, candidate, cancellationToken).ConfigureAwait(false);
        if (found is { } mode && mode != security)
        {
            _context.SuggestedSecurity = mode;
            return mode switch
            {
                SmtpSecurity.ImplicitTls => $"This server starts with TLS on port {port} (SSL/TLS), not {SecurityNames.ForOwner(security)}: set Security to SSL/TLS.",
                SmtpSecurity.StartTls => $"This server answers in plain text on port {port} and offers STARTTLS: set Security to STARTTLS.",
                _ => $"This server answers in plain text on port {port} and offers no encryption there: ask your provider for its encrypted port.",
            };
        }

        // No answer either way: fall back to what the port and the provider say.
        var requirements = _context.Requirements;
        var providerMode = requirements?.Endpoints.Where(e => e.Port == port).Select(e => (SmtpSecurity?)e.Security).FirstOrDefault();
        var byPort = providerMode ?? (port == 465 ? SmtpSecurity.ImplicitTls : port is 587 or 25 ? SmtpSecurity.StartTls : null);
        if (byPort is { } usual && usual != security)
        {
            _context.SuggestedSecurity = usual;
            return $"Port {port} normally uses {SecurityNames.ForOwner(usual)}: set Security to {SecurityNames.ForOwner(usual)}.";
        }

        return requirements is { } provider ? $"{provider.Name} serves SMTP on {provider.DescribeEndpoints()}." : null;
    }

    private async Task<SmtpSecurity?> ProbeSecurityAsync(IPAddress[] addresses, SmtpSecurity candidate, CancellationToken cancellationToken)
    {
        using var step = _context.BeginStep(_time, cancellationToken);
        var (socket, _) = await ConnectSocketAsync(addresses, step, cancellationToken).ConfigureAwait(false);
        if (socket is null)
        {
            return null;
        }

        var certificates = new DiagnosticCertificateCheck(_context.Host, _context.Account.TrustedCertificateAuthorities);
        using var client = new SmtpClient(new SmtpStageTracker())
        {
            Timeout = _context.TimeoutMilliseconds,
            SslProtocols = SmtpConnection.AllowedTlsProtocols,
            ServerCertificateValidationCallback = certificates.Validate,
        };
        SmtpSecurity? found;
        try
        {
            var options = candidate == SmtpSecurity.ImplicitTls ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.None;
            await client.ConnectAsync(socket, _context.Host, _context.Port, options, step.Token).ConfigureAwait(false);
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
            await DiagnosticSession.QuitAsync(client, _time).ConfigureAwait(false);
            socket.Dispose();
        }

        _context.AddStep($"Try {SecurityNames.ForOwner(candidate)} on port {_context.Port}: {(found is { } mode ? $"the server speaks {SecurityNames.ForOwner(mode)}" : "no answer")} ({step.Elapsed}).");
        return found;
    }

    private async Task<(Socket? Socket, Exception? Error)> ConnectSocketAsync(IPAddress[] addresses, DiagnosticStep step, CancellationToken cancellationToken)
    {
        Exception? error = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, _context.Port), step.Token).ConfigureAwait(false);
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

    private string SessionFailureSummary(SmtpFailure failure, DiagnosticProtocolLog log) => failure.Stage switch
    {
        SmtpStage.Tls when failure.RuleName == "tls-certificate" => $"The server's certificate is not trusted: {CertificateReason(failure)}",
        SmtpStage.Tls => $"The secure connection (TLS) to {_context.Endpoint} failed.",
        SmtpStage.Greeting when failure.StatusCode is { } code => $"The server refused the connection with {code} instead of a greeting.",
        SmtpStage.Greeting => $"The server accepted the connection but did not greet within {DiagnosticText.Seconds(_context.Options.StepTimeout)}.",
        SmtpStage.Ehlo when log.Greeting is not null => "The server greeted, then failed while announcing what it supports (EHLO/STARTTLS).",
        _ => $"The connection to {_context.Endpoint} failed before it was ready for mail.",
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
}
