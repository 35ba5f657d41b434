using System.Net.Sockets;
using SmtpServer;
using SmtpServer.IO;
using SmtpServer.Net;

namespace PetSitter.Email.Testing;

/// <summary>Accepts connections for SmtpServer and wraps each in a <see cref="ScriptedConnection"/>.</summary>
internal sealed class LoopbackListener : IEndpointListener
{
    private readonly TcpListener _listener;
    private readonly ScriptedSmtpServer _server;

    public LoopbackListener(TcpListener listener, ScriptedSmtpServer server)
    {
        _listener = listener;
        _server = server;
    }

    public async Task<ISecurableDuplexPipe> GetPipeAsync(ISessionContext context, CancellationToken cancellationToken)
    {
        var socket = await _listener.AcceptSocketAsync(cancellationToken).ConfigureAwait(false);

        // SmtpServer flushes each reply on its own, so a pipelined MAIL FROM + RCPT TO gets two small sends.
        // With Nagle on, the second waits for the ACK of the first, which the client delays (about 40 ms on
        // Linux) because it sends nothing until it has both replies: a 40 ms stall per message.
        socket.NoDelay = true;
        return _server.Accept(socket, context);
    }

    public void Dispose() => _listener.Stop();
}
