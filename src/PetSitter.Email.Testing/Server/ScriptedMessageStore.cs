using System.Buffers;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace PetSitter.Email.Testing;

/// <summary>Hands each complete message to the scripted server.</summary>
internal sealed class ScriptedMessageStore : IMessageStore
{
    private readonly ScriptedSmtpServer _server;

    public ScriptedMessageStore(ScriptedSmtpServer server)
    {
        _server = server;
    }

    public Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
    {
        _server.OnMessage(context, transaction, buffer);

        // Whatever SmtpServer writes for this is replaced by the reply the server queued.
        return Task.FromResult(SmtpResponse.Ok);
    }
}
