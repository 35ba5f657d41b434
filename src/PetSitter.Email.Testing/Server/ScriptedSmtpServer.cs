using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using MimeKit;
using SmtpServer;
using SmtpServer.Authentication;
using SmtpServer.ComponentModel;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;
using SmtpServerHost = SmtpServer.SmtpServer;

namespace PetSitter.Email.Testing;

/// <summary>
/// A real SMTP server on loopback (127.0.0.1, a free port) for tests: it speaks SMTP over a real socket,
/// with real TLS, and answers each stage as its <see cref="Script"/> says, so a client can be made to meet
/// Gmail's bad-password reply, Microsoft 365's quota reply or a connection lost after the end of DATA.
/// It records connections, sign-in attempts and every message it accepts.
/// </summary>
/// <remarks>
/// <para>Built on the SmtpServer package. Without a script it accepts everything: any sign-in (or only
/// <see cref="ScriptedSmtpServerOptions.UserName"/> / <see cref="ScriptedSmtpServerOptions.Password"/> when
/// set), any sender and recipient, every message.</para>
/// <para>Accepted sockets have Nagle's algorithm turned off: SmtpServer sends each reply of a pipelined batch
/// on its own, and with Nagle on every message would stall about 40 ms waiting for a delayed ACK.</para>
/// </remarks>
/// <example>
/// <code>
/// await using var server = await ScriptedSmtpServer.StartAsync(new() { Security = ScriptedServerSecurity.StartTls });
/// server.Script = context => context.Stage == SmtpStage.AfterData &amp;&amp; context.MessagesReceived >= 3
///     ? ProviderReplies.Gmail.DailyLimitExceeded
///     : null;
/// var account = server.CreateAccountSettings("owner@paws.example");
/// </code>
/// </example>
public sealed class ScriptedSmtpServer : IAsyncDisposable
{
    private static readonly SmtpReply SenderAccepted = new(250, "2.1.0 Sender OK");
    private static readonly SmtpReply RecipientAccepted = new(250, "2.1.5 Recipient OK");
    private static readonly SmtpReply AuthenticationAccepted = new(235, "2.7.0 Authentication successful");
    private static readonly SmtpReply CredentialsInvalid = new(535, "5.7.8 Authentication credentials invalid");
    private static readonly SmtpReply BadSequence = new(503, "5.5.1 Bad sequence of commands");

    private readonly CancellationTokenSource _shutdown = new();
    private readonly ConcurrentDictionary<int, ScriptedConnection> _connections = new();
    private readonly RecordedList<ReceivedSmtpMessage> _messages = new();
    private Func<SmtpScriptContext, SmtpReply?>? _script;
    private Func<SmtpScriptContext, TimeSpan>? _replyDelay;
    private Task _run = Task.CompletedTask;
    private int _connectionsOpened;
    private int _openConnections;
    private int _peakOpenConnections;
    private int _authenticationsSucceeded;
    private int _authenticationsFailed;
    private readonly RecordedList<string> _accessTokens = new();
    private int _disposed;

    private ScriptedSmtpServer(ScriptedSmtpServerOptions options)
    {
        Options = options;
        CertificateAuthority = options.CertificateAuthority ?? TestCertificateAuthority.Shared;
    }

    /// <summary>Gets the address the server listens on: always <c>127.0.0.1</c>.</summary>
    public string Host { get; } = IPAddress.Loopback.ToString();

    /// <summary>Gets the port the server listens on: <see cref="ScriptedSmtpServerOptions.Port"/>, or the one the system picked.</summary>
    public int Port { get; private set; }

    /// <summary>Gets the options the server was started with.</summary>
    public ScriptedSmtpServerOptions Options { get; }

    /// <summary>Gets the authority that issued the server's TLS certificate: trust its <see cref="TestCertificateAuthority.Certificate"/>.</summary>
    public TestCertificateAuthority CertificateAuthority { get; }

    /// <summary>
    /// Gets or sets how the server answers. Called at each stage of each connection (see
    /// <see cref="SmtpScriptContext.Stage"/>); return a reply to send it instead of the server's own,
    /// <see cref="SmtpReply.Disconnect"/> to close the connection without a reply, or <see langword="null"/>
    /// for the server's own behaviour. May be changed while the server runs; the next stage uses the new one.
    /// </summary>
    /// <remarks>
    /// <para>What a reply does at each stage: at <see cref="SmtpStage.Greeting"/> and <see cref="SmtpStage.Ehlo"/>
    /// it replaces the server's reply. At <see cref="SmtpStage.Authenticate"/>, <see cref="SmtpStage.MailFrom"/>
    /// and <see cref="SmtpStage.RcptTo"/> a 2xx reply accepts and any other refuses. At <see cref="SmtpStage.Data"/>
    /// (the DATA command) a reply other than 354 is sent and the connection closed, because the server cannot
    /// leave data mode without reading a message. At <see cref="SmtpStage.AfterData"/> a 2xx reply accepts and
    /// records the message, any other refuses it, and <see cref="SmtpReply.Disconnect"/> records it and then
    /// drops the connection before replying (the client cannot know whether it was delivered).</para>
    /// <para>At <see cref="SmtpStage.Tls"/> (the STARTTLS command) a reply replaces "220 Ready to start TLS"; any
    /// other code than 220 is sent and the connection closed without a handshake. <see cref="SmtpReply.Silence"/>
    /// at any stage holds the reply until the connection is dropped or the server stops.</para>
    /// <para>A 421 reply closes the connection after it is sent. A script that throws is answered
    /// <c>451 4.3.0</c> with the exception's type and message, so the test sees it.</para>
    /// <para>Without a script (or for a <see langword="null"/> answer): the greeting is 220; AUTH accepts
    /// <see cref="ScriptedSmtpServerOptions.UserName"/> / <see cref="ScriptedSmtpServerOptions.Password"/> (any
    /// credentials when unset) and is refused with <c>530 5.7.0 Must issue a STARTTLS command first</c> before
    /// STARTTLS in the STARTTLS modes; MAIL FROM gets the same refusal before STARTTLS with
    /// <see cref="ScriptedServerSecurity.StartTlsRequired"/>; everything else is accepted.</para>
    /// </remarks>
    public Func<SmtpScriptContext, SmtpReply?>? Script
    {
        get => Volatile.Read(ref _script);
        set => Volatile.Write(ref _script, value);
    }

    /// <summary>
    /// Gets or sets how long the server waits before each reply, by stage and connection, as a provider across the
    /// internet does (a greeting, EHLO and sign-in of 100-400 ms are common). Called at the same stages as
    /// <see cref="Script"/>, before it; return <see cref="TimeSpan.Zero"/> to answer at once. The wait is the
    /// server's own, on the real clock, and holds only that connection. Default: <see langword="null"/> (no wait).
    /// </summary>
    public Func<SmtpScriptContext, TimeSpan>? ReplyDelay
    {
        get => Volatile.Read(ref _replyDelay);
        set => Volatile.Write(ref _replyDelay, value);
    }

    /// <summary>Gets how many connections the server has accepted.</summary>
    public int ConnectionsOpened => Volatile.Read(ref _connectionsOpened);

    /// <summary>Gets how many connections are open now.</summary>
    public int OpenConnections => Volatile.Read(ref _openConnections);

    /// <summary>Gets the most connections that were open at once.</summary>
    public int PeakOpenConnections => Volatile.Read(ref _peakOpenConnections);

    /// <summary>Gets how many AUTH commands succeeded.</summary>
    public int AuthenticationsSucceeded => Volatile.Read(ref _authenticationsSucceeded);

    /// <summary>Gets how many AUTH commands failed (refused by credentials, by the script, or before STARTTLS).</summary>
    public int AuthenticationsFailed => Volatile.Read(ref _authenticationsFailed);

    /// <summary>
    /// Gets the access tokens presented with AUTH XOAUTH2, accepted or not, in order (a copy). The server's
    /// tokens are test data: this is how a test sees that a client refreshed its token.
    /// </summary>
    public IReadOnlyList<string> AccessTokensReceived => _accessTokens.Snapshot();

    /// <summary>
    /// Gets the messages the server took: accepted with a 2xx reply, or received in full before a scripted
    /// <see cref="SmtpReply.Disconnect"/> after DATA. A copy, in the order they arrived.
    /// </summary>
    public IReadOnlyList<ReceivedSmtpMessage> Messages => _messages.Snapshot();

    /// <summary>Starts a server on 127.0.0.1 and a free port.</summary>
    /// <param name="options">How to set it up; <see langword="null"/> for the defaults (no TLS, any credentials).</param>
    /// <param name="cancellationToken">Cancels starting.</param>
    /// <returns>The running server. Dispose it to stop it.</returns>
    /// <exception cref="ArgumentException">The options are inconsistent (for example a password without a user name).</exception>
    public static async Task<ScriptedSmtpServer> StartAsync(ScriptedSmtpServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ScriptedSmtpServerOptions();
        Validate(options);
        var server = new ScriptedSmtpServer(options);
        try
        {
            await server.ListenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return server;
    }

    /// <summary>Waits until the server has recorded at least <paramref name="count"/> messages.</summary>
    /// <param name="count">How many messages to wait for.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The messages recorded when the count was reached (at least <paramref name="count"/>).</returns>
    public Task<IReadOnlyList<ReceivedSmtpMessage>> WaitForMessagesAsync(int count, CancellationToken cancellationToken = default) =>
        _messages.WaitForCountAsync(count, cancellationToken);

    /// <summary>
    /// Creates settings for an SMTP account on this server, ready for the library: host, port, the matching
    /// security mode, the server's credentials and its certificate authority trusted for this account only.
    /// </summary>
    /// <param name="fromAddress">The address to send from.</param>
    /// <param name="userName">The user name to sign in with; default: the server's <see cref="ScriptedSmtpServerOptions.UserName"/>.</param>
    /// <param name="password">The password to sign in with; default: the server's <see cref="ScriptedSmtpServerOptions.Password"/>.</param>
    /// <returns>The account's settings.</returns>
    public SmtpAccountSettings CreateAccountSettings(string fromAddress = "owner@business.test", string? userName = null, string? password = null) => new()
    {
        Host = Host,
        Port = Port,
        Security = Options.Security switch
        {
            ScriptedServerSecurity.None => SmtpSecurity.None,
            ScriptedServerSecurity.ImplicitTls => SmtpSecurity.ImplicitTls,
            _ => SmtpSecurity.StartTls,
        },
        UserName = userName ?? Options.UserName,
        Password = password ?? Options.Password,
        FromAddress = fromAddress,
        AllowAuthenticationWithoutTls = Options.Security == ScriptedServerSecurity.None,
        TrustedCertificateAuthorities = Options.Security == ScriptedServerSecurity.None ? [] : [CertificateAuthority.Certificate],
    };

    /// <summary>
    /// Creates settings for an SMTP account on this server that signs in with OAuth2 (XOAUTH2): like
    /// <see cref="CreateAccountSettings"/>, with <paramref name="accessTokenProvider"/> in place of a password.
    /// </summary>
    /// <param name="accessTokenProvider">Supplies the access tokens.</param>
    /// <param name="fromAddress">The address to send from.</param>
    /// <param name="userName">The user name to sign in as; default: the server's <see cref="ScriptedSmtpServerOptions.UserName"/>, else <paramref name="fromAddress"/>.</param>
    /// <param name="grantId">The account's <see cref="SmtpAccountSettings.AccessTokenGrantId"/>; default: none.</param>
    /// <returns>The account's settings.</returns>
    public SmtpAccountSettings CreateOAuthAccountSettings(ISmtpAccessTokenProvider accessTokenProvider, string fromAddress = "owner@business.test", string? userName = null, string? grantId = null)
    {
        ArgumentNullException.ThrowIfNull(accessTokenProvider);
        var password = CreateAccountSettings(fromAddress, userName ?? Options.UserName ?? fromAddress);
        return new SmtpAccountSettings
        {
            Host = password.Host,
            Port = password.Port,
            Security = password.Security,
            UserName = password.UserName,
            AccessTokenProvider = accessTokenProvider,
            AccessTokenGrantId = grantId,
            FromAddress = password.FromAddress,
            AllowAuthenticationWithoutTls = password.AllowAuthenticationWithoutTls,
            TrustedCertificateAuthorities = password.TrustedCertificateAuthorities,
        };
    }

    /// <summary>Stops listening, closes every open connection and waits for the server to finish.</summary>
    /// <returns>A task that completes when the server has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _shutdown.CancelAsync().ConfigureAwait(false);
        foreach (var connection in _connections.Values)
        {
            connection.Drop();
        }

        try
        {
            await _run.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _shutdown.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => $"Scripted SMTP server {Host}:{Port} ({Options.Security})";

    internal ScriptedConnection Accept(Socket socket, ISessionContext context)
    {
        var connection = new ScriptedConnection(Interlocked.Increment(ref _connectionsOpened), socket, OnClosed, acceptsXOAuth2: Options.OffersXOAuth2);
        _connections[connection.Id] = connection;
        var open = Interlocked.Increment(ref _openConnections);
        var peak = Volatile.Read(ref _peakOpenConnections);
        while (open > peak)
        {
            var seen = Interlocked.CompareExchange(ref _peakOpenConnections, open, peak);
            if (seen == peak)
            {
                break;
            }

            peak = seen;
        }

        connection.AttachTo(context);
        context.CommandExecuting += (_, e) => OnCommandExecuting(connection, e);
        context.ResponseException += (_, e) => OnResponseException(connection, e);
        return connection;
    }

    internal bool OffersAuthentication(bool isSecure) =>
        isSecure || Options.Security is ScriptedServerSecurity.None or ScriptedServerSecurity.ImplicitTls;

    internal void OnEhlo(ISessionContext context)
    {
        var connection = ScriptedConnection.From(context);
        if (RunScript(SmtpStage.Ehlo, connection, context) is { } reply)
        {
            connection.Reply(reply);
        }
    }

    internal bool OnAuthenticate(ISessionContext context, string user, string password)
    {
        var connection = ScriptedConnection.From(context);
        if (connection.IsDropped)
        {
            // A command read from the same packet as one the script answered with Disconnect.
            return false;
        }

        var usesAccessToken = connection.TakeAccessTokenAuthentication();
        if (usesAccessToken)
        {
            _accessTokens.Add(password);
        }

        var reply = RunScript(SmtpStage.Authenticate, connection, context, userName: user, usesAccessToken: usesAccessToken);
        if (reply is null)
        {
            if (!OffersAuthentication(connection.IsSecure))
            {
                reply = ProviderReplies.Gmail.StartTlsRequired;
            }
            else if (usesAccessToken)
            {
                reply = (Options.UserName is null || string.Equals(user, Options.UserName, StringComparison.Ordinal))
                    && (Options.AccessTokenValidator is { } validate ? validate(user, password) : string.Equals(password, Options.AccessToken, StringComparison.Ordinal))
                        ? AuthenticationAccepted
                        : Options.AccessTokenRejectedReply ?? CredentialsInvalid;
            }
            else if (Options.UserName is not null
                && !(string.Equals(user, Options.UserName, StringComparison.Ordinal) && string.Equals(password, Options.Password, StringComparison.Ordinal)))
            {
                reply = CredentialsInvalid;
            }
            else
            {
                reply = AuthenticationAccepted;
            }
        }

        var accepted = reply.IsSuccess;
        Interlocked.Increment(ref accepted ? ref _authenticationsSucceeded : ref _authenticationsFailed);
        connection.Reply(reply, allowChallenge: usesAccessToken);
        return accepted;
    }

    internal bool OnMailFrom(ISessionContext context, string sender)
    {
        var connection = ScriptedConnection.From(context);
        if (connection.IsDropped)
        {
            // A command read from the same packet as one the script answered with Disconnect.
            return false;
        }

        var reply = RunScript(SmtpStage.MailFrom, connection, context, address: sender)
            ?? (Options.Security == ScriptedServerSecurity.StartTlsRequired && !connection.IsSecure ? ProviderReplies.Gmail.StartTlsRequired : SenderAccepted);
        connection.Reply(reply);
        return reply.IsSuccess;
    }

    internal bool OnRcptTo(ISessionContext context, string recipient)
    {
        var connection = ScriptedConnection.From(context);
        if (connection.IsDropped)
        {
            // A command read from the same packet as one the script answered with Disconnect.
            return false;
        }

        var reply = RunScript(SmtpStage.RcptTo, connection, context, address: recipient) ?? RecipientAccepted;
        connection.Reply(reply);
        return reply.IsSuccess;
    }

    internal void OnMessage(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer)
    {
        var connection = ScriptedConnection.From(context);
        if (connection.IsDropped)
        {
            return;
        }

        // SmtpServer hands over the data without the CRLF that precedes the final dot; that CRLF ends the
        // message's last line (RFC 5321 4.1.1.4), so it is put back.
        var data = new byte[buffer.Length + 2];
        buffer.CopyTo(data);
        data[^2] = (byte)'\r';
        data[^1] = (byte)'\n';
        using var stream = new MemoryStream(data, writable: false);
        var received = new ReceivedSmtpMessage(
            connection.Id,
            transaction.From?.AsAddress() ?? string.Empty,
            [.. transaction.To.Select(to => to.AsAddress() ?? string.Empty)],
            data,
            MimeMessage.Load(stream),
            AuthenticatedUser(context),
            connection.IsSecure);

        var reply = RunScript(SmtpStage.AfterData, connection, context, message: received);
        if (reply is null || reply.IsSuccess || reply.IsDisconnect || reply.IsSilence)
        {
            var position = _messages.Add(received);
            reply ??= new SmtpReply(250, string.Create(CultureInfo.InvariantCulture, $"2.0.0 OK: queued as {position}"));
        }

        connection.Reply(reply);
    }

    private static void Validate(ScriptedSmtpServerOptions options)
    {
        if (!Enum.IsDefined(options.Security))
        {
            throw new ArgumentException($"Security '{(int)options.Security}' is not a security mode: use None, StartTls, StartTlsRequired or ImplicitTls.", nameof(options));
        }

        if (string.IsNullOrWhiteSpace(options.ServerName) || options.ServerName.Any(char.IsWhiteSpace))
        {
            throw new ArgumentException($"ServerName '{options.ServerName}' is not a host name: use one word such as smtp.scripted.test.", nameof(options));
        }

        if (options.Port is < 0 or > IPEndPoint.MaxPort)
        {
            throw new ArgumentException($"Port {options.Port} is not a TCP port: use 0 for a free one, or 1-65535.", nameof(options));
        }

        if (options.Password is not null && options.UserName is null)
        {
            throw new ArgumentException("Set both UserName and Password to accept only those credentials, or neither to accept any.", nameof(options));
        }

        if (options.UserName is not null && options.Password is null && !options.OffersXOAuth2)
        {
            throw new ArgumentException("Set both UserName and Password to accept only those credentials (or UserName and AccessToken for OAuth2 only), or neither to accept any.", nameof(options));
        }

        if (options.AccessToken is not null && (options.AccessToken.Length == 0 || options.AccessToken.Any(c => char.IsControl(c) || c == ' ')))
        {
            throw new ArgumentException("AccessToken must be non-empty, without spaces or control characters.", nameof(options));
        }
    }

    private static string? AuthenticatedUser(ISessionContext context) =>
        context.Authentication.IsAuthenticated ? context.Authentication.User : null;

    private static SmtpReply ScriptFailed(SmtpStage stage, Exception exception)
    {
        var message = exception.Message.ReplaceLineEndings(" ");
        return new SmtpReply(451, $"4.3.0 The test script threw at {stage}: {exception.GetType().Name}: {message}");
    }

    private async Task ListenAsync(CancellationToken cancellationToken)
    {
        var listenerFactory = new LoopbackListenerFactory(this);
        var services = new ServiceProvider();
        services.Add(listenerFactory);
        services.Add((ISmtpCommandFactory)new ScriptedCommandFactory(this));
        services.Add((IUserAuthenticator)new ScriptedAuthenticator(this));
        services.Add((IMailboxFilter)new ScriptedMailboxFilter(this));
        services.Add((IMessageStore)new ScriptedMessageStore(this));

        var serverOptions = new SmtpServerOptionsBuilder()
            .ServerName(Options.ServerName)
            .CustomSmtpGreeting(OnGreeting)

            // SmtpServer closes the connection after a few failed AUTH commands; a script decides that here.
            .MaxAuthenticationAttempts(int.MaxValue)
            .Endpoint(endpoint =>
            {
                endpoint
                    .Endpoint(new IPEndPoint(IPAddress.Loopback, Options.Port))
                    .IsSecure(Options.Security == ScriptedServerSecurity.ImplicitTls)

                    // AUTH is always let through to the authenticator, which answers "STARTTLS first" itself:
                    // SmtpServer's own refusal is a "500 expected ..." that no real provider sends.
                    .AllowUnsecureAuthentication()
                    .AuthenticationRequired(false)
                    .SupportedSslProtocols(SslProtocols.Tls12 | SslProtocols.Tls13)
                    .SessionTimeout(Timeout.InfiniteTimeSpan);
                if (Options.Security != ScriptedServerSecurity.None)
                {
                    endpoint.Certificate(CertificateAuthority.ServerCertificate);
                }
            })
            .Build();

        var host = new SmtpServerHost(serverOptions, services);
        _run = host.StartAsync(_shutdown.Token);
        var started = listenerFactory.Started;
        using var registration = cancellationToken.Register(() => _shutdown.Cancel());
        if (await Task.WhenAny(started, _run).ConfigureAwait(false) != started)
        {
            await _run.ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            throw new InvalidOperationException("The SMTP server stopped before it started listening.");
        }

        Port = (await started.ConfigureAwait(false)).Port;
    }

    private string OnGreeting(ISessionContext context)
    {
        var connection = ScriptedConnection.From(context);
        if (RunScript(SmtpStage.Greeting, connection, context) is { } reply)
        {
            connection.Reply(reply);
            return string.Empty;
        }

        return $"220 {Options.ServerName} ESMTP ready";
    }

    private void OnCommandExecuting(ScriptedConnection connection, SmtpCommandEventArgs e)
    {
        if (e.Command is DataCommand && RunScript(SmtpStage.Data, connection, e.Context) is { } reply)
        {
            connection.Reply(reply, closeAfter: reply.Code != 354);
        }
        else if (e.Command is StartTlsCommand && RunScript(SmtpStage.Tls, connection, e.Context) is { } tlsReply)
        {
            // Anything but "220 go ahead" means no handshake follows: the connection closes after the reply.
            connection.Reply(tlsReply, closeAfter: tlsReply.Code != 220);
        }
    }

    // SmtpServer words refusals of its own as "501 expected NOOP/RSET/..., 4 retry(ies) remaining.", which no
    // real server sends: a command out of order (RCPT after a refused MAIL FROM in a pipelined batch) gets
    // RFC 5321's 503 instead, and other refusals lose the retry count.
    private static void OnResponseException(ScriptedConnection connection, SmtpResponseExceptionEventArgs e)
    {
        var response = e.Exception.Response;
        if (e.Exception.IsQuitRequested || connection.IsDropped)
        {
            return;
        }

        connection.Reply(response.Message?.StartsWith("expected ", StringComparison.Ordinal) == true
            ? BadSequence
            : new SmtpReply((int)response.ReplyCode, response.Message ?? string.Empty));
    }

    private void OnClosed(ScriptedConnection connection)
    {
        _connections.TryRemove(connection.Id, out _);
        Interlocked.Decrement(ref _openConnections);
    }

    private SmtpReply? RunScript(SmtpStage stage, ScriptedConnection connection, ISessionContext context, string? address = null, string? userName = null, ReceivedSmtpMessage? message = null, bool usesAccessToken = false)
    {
        var script = Script;
        var delay = ReplyDelay;
        if ((script is null && delay is null) || connection.IsDropped)
        {
            return null;
        }

        var scriptContext = new SmtpScriptContext(stage, connection.Id, connection.IsSecure, userName ?? AuthenticatedUser(context), address, _messages.Count, message)
        {
            UsesAccessToken = usesAccessToken,
        };
        if (delay is not null)
        {
            connection.DelayNextReply(delay(scriptContext));
        }

        if (script is null)
        {
            return null;
        }

        try
        {
            return script(scriptContext);
        }
        catch (Exception exception)
        {
            return ScriptFailed(stage, exception);
        }
    }
}
