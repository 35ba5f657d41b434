using SmtpServer.Protocol;

namespace PetSitter.Email.Testing;

/// <summary>SmtpServer's command factory with EHLO replaced by <see cref="ScriptedEhloCommand"/>.</summary>
internal sealed class ScriptedCommandFactory : SmtpCommandFactory
{
    private readonly ScriptedSmtpServer _server;

    public ScriptedCommandFactory(ScriptedSmtpServer server)
    {
        _server = server;
    }

    public override SmtpCommand CreateEhlo(string domainOrAddress) => new ScriptedEhloCommand(domainOrAddress, _server);
}
