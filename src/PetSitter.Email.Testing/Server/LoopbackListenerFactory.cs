using System.Net;
using System.Net.Sockets;
using SmtpServer;
using SmtpServer.Net;

namespace PetSitter.Email.Testing;

/// <summary>
/// Opens the server's listening socket (port 0: the system picks a free port) and reports the port it got.
/// </summary>
internal sealed class LoopbackListenerFactory : IEndpointListenerFactory
{
    private readonly ScriptedSmtpServer _server;
    private readonly TaskCompletionSource<IPEndPoint> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public LoopbackListenerFactory(ScriptedSmtpServer server)
    {
        _server = server;
    }

    public Task<IPEndPoint> Started => _started.Task;

    public IEndpointListener CreateListener(IEndpointDefinition endpointDefinition)
    {
        var listener = new TcpListener(endpointDefinition.Endpoint);
        try
        {
            listener.Start();
        }
        catch (Exception exception)
        {
            _started.TrySetException(exception);
            throw;
        }

        _started.TrySetResult((IPEndPoint)listener.LocalEndpoint);
        return new LoopbackListener(listener, _server);
    }
}
