using SmtpServer;
using SmtpServer.Authentication;

namespace PetSitter.Email.Testing;

/// <summary>Hands AUTH PLAIN / LOGIN credentials to the scripted server.</summary>
internal sealed class ScriptedAuthenticator : IUserAuthenticator
{
    private readonly ScriptedSmtpServer _server;

    public ScriptedAuthenticator(ScriptedSmtpServer server)
    {
        _server = server;
    }

    public Task<bool> AuthenticateAsync(ISessionContext context, string user, string password, CancellationToken cancellationToken) =>
        Task.FromResult(_server.OnAuthenticate(context, user, password));
}
