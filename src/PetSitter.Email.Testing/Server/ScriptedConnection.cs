using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using SmtpServer;
using SmtpServer.IO;

namespace PetSitter.Email.Testing;

/// <summary>
/// One accepted connection, handed to SmtpServer as its duplex pipe. Owning the pipe lets the scripted
/// server replace replies (<see cref="ReplyWriter"/>), drop the connection at any stage, and count
/// connections as they open and close.
/// </summary>
internal sealed class ScriptedConnection : ISecurableDuplexPipe
{
    private const string PropertyKey = "PetSitter.Email.Testing:Connection";

    private readonly Socket _socket;
    private readonly NetworkStream _networkStream;
    private readonly Action<ScriptedConnection> _onClosed;
    private readonly bool _acceptsXOAuth2;
    private SmtpReply? _pendingAuthReply;
    private int _accessTokenAuthentication;
    private SslStream? _sslStream;
    private (SmtpReply Reply, bool CloseAfter)? _scriptedReply;
    private TimeSpan _replyDelay;
    private readonly TaskCompletionSource _droppedSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _dropped;
    private int _disposed;

    public ScriptedConnection(int id, Socket socket, Action<ScriptedConnection> onClosed, bool acceptsXOAuth2 = false)
    {
        Id = id;
        _socket = socket;
        _onClosed = onClosed;
        _acceptsXOAuth2 = acceptsXOAuth2;
        _networkStream = new NetworkStream(socket, ownsSocket: false);
        Input = PipeReader.Create(ClientSide(_networkStream), new StreamPipeReaderOptions(leaveOpen: true));
        Output = new ReplyWriter(_networkStream, this);
    }

    public int Id { get; }

    public PipeReader Input { get; private set; }

    public PipeWriter Output { get; private set; }

    public bool IsSecure => _sslStream is not null;

    public SslProtocols SslProtocol => _sslStream?.SslProtocol ?? SslProtocols.None;

    public bool IsDropped => Volatile.Read(ref _dropped) == 1;

    /// <summary>Completes when the connection is dropped or disposed: what a <see cref="SmtpReply.Silence"/> waits for.</summary>
    public Task Dropped => _droppedSignal.Task;

    public static ScriptedConnection From(ISessionContext context) => (ScriptedConnection)context.Properties[PropertyKey];

    public void AttachTo(ISessionContext context) => context.Properties[PropertyKey] = this;

    /// <summary>Answers the command being handled with <paramref name="reply"/> instead of SmtpServer's own reply.</summary>
    public void Reply(SmtpReply reply, bool closeAfter = false, bool allowChallenge = false)
    {
        if (!allowChallenge)
        {
            reply = reply.WithoutChallenge();
        }

        if (reply.IsDisconnect)
        {
            Drop();
            return;
        }

        _scriptedReply = (reply, closeAfter || reply.Code == 421);
    }

    /// <summary>Holds the next reply back by <paramref name="delay"/> (see <see cref="ScriptedSmtpServer.ReplyDelay"/>).</summary>
    public void DelayNextReply(TimeSpan delay) => _replyDelay = delay > TimeSpan.Zero ? delay : TimeSpan.Zero;

    public TimeSpan TakeReplyDelay()
    {
        var delay = _replyDelay;
        _replyDelay = TimeSpan.Zero;
        return delay;
    }

    public (SmtpReply Reply, bool CloseAfter)? TakeScriptedReply()
    {
        var reply = _scriptedReply;
        _scriptedReply = null;
        return reply;
    }

    /// <summary>
    /// Closes the connection without a word: the client sees end of stream. SmtpServer's session then reads
    /// end of stream too and ends normally.
    /// </summary>
    public void Drop()
    {
        if (Interlocked.Exchange(ref _dropped, 1) == 1)
        {
            return;
        }

        _droppedSignal.TrySetResult();
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already reset by the client: dropped either way.
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public async Task UpgradeAsync(X509Certificate certificate, SslProtocols protocols, CancellationToken cancellationToken = default)
    {
        if (IsDropped)
        {
            // The script refused or dropped STARTTLS: no handshake; the session reads end of stream and ends.
            return;
        }

        var sslStream = new SslStream(_networkStream, leaveInnerStreamOpen: true);
        try
        {
            await sslStream.AuthenticateAsServerAsync(
                new SslServerAuthenticationOptions
                {
                    ServerCertificate = certificate,
                    ClientCertificateRequired = false,
                    EnabledSslProtocols = protocols,
                    CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await sslStream.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        await Input.CompleteAsync().ConfigureAwait(false);
        _sslStream = sslStream;
        Input = PipeReader.Create(ClientSide(sslStream), new StreamPipeReaderOptions(leaveOpen: true));
        Output = new ReplyWriter(sslStream, this);
    }

    /// <summary>Notes that the AUTH command being read came as XOAUTH2 (handed to SmtpServer as PLAIN).</summary>
    public void MarkAccessTokenAuthentication() => Volatile.Write(ref _accessTokenAuthentication, 1);

    /// <summary>Whether the AUTH command being handled came as XOAUTH2; clears the mark.</summary>
    public bool TakeAccessTokenAuthentication() => Interlocked.Exchange(ref _accessTokenAuthentication, 0) == 1;

    /// <summary>Holds the verdict sent once the client has answered a 334 challenge.</summary>
    public void SetPendingAuthReply(SmtpReply reply) => Volatile.Write(ref _pendingAuthReply, reply);

    public SmtpReply? TakePendingAuthReply() => Interlocked.Exchange(ref _pendingAuthReply, null);

    /// <summary>Writes to the client directly, outside SmtpServer's replies (the end of a challenge exchange).</summary>
    public async Task WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        Stream stream = _sslStream is { } ssl ? ssl : _networkStream;
        await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        Interlocked.Exchange(ref _dropped, 1);
        _droppedSignal.TrySetResult();
        _sslStream?.Dispose();
        _networkStream.Dispose();
        _socket.Dispose();
        _onClosed(this);
    }

    private Stream ClientSide(Stream stream) => _acceptsXOAuth2 ? new XOAuth2Rewriter(stream, this) : stream;
}
