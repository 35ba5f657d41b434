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
    private SslStream? _sslStream;
    private (SmtpReply Reply, bool CloseAfter)? _scriptedReply;
    private readonly TaskCompletionSource _droppedSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _dropped;
    private int _disposed;

    public ScriptedConnection(int id, Socket socket, Action<ScriptedConnection> onClosed)
    {
        Id = id;
        _socket = socket;
        _onClosed = onClosed;
        _networkStream = new NetworkStream(socket, ownsSocket: false);
        Input = PipeReader.Create(_networkStream, new StreamPipeReaderOptions(leaveOpen: true));
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
    public void Reply(SmtpReply reply, bool closeAfter = false)
    {
        if (reply.IsDisconnect)
        {
            Drop();
            return;
        }

        _scriptedReply = (reply, closeAfter || reply.Code == 421);
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
        Input = PipeReader.Create(sslStream, new StreamPipeReaderOptions(leaveOpen: true));
        Output = new ReplyWriter(sslStream, this);
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
}
