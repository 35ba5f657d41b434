using SmtpServer;
using SmtpServer.Protocol;

namespace PetSitter.Email.Testing;

/// <summary>
/// EHLO with the scripted server's capabilities: PIPELINING only when asked for, AUTH only where the
/// security mode allows it, ENHANCEDSTATUSCODES because every reply carries one; and a hook for the script.
/// </summary>
internal sealed class ScriptedEhloCommand : EhloCommand
{
    private readonly ScriptedSmtpServer _server;

    public ScriptedEhloCommand(string domainOrAddress, ScriptedSmtpServer server)
        : base(domainOrAddress)
    {
        _server = server;
    }

    // SmtpServer asks for the greeting line first, before writing anything: the one place to hook EHLO.
    protected override string GetGreeting(ISessionContext context)
    {
        _server.OnEhlo(context);
        return $"{_server.Options.ServerName} at your service, {DomainOrAddress}";
    }

    protected override IEnumerable<string> GetExtensions(ISessionContext context)
    {
        foreach (var extension in base.GetExtensions(context))
        {
            if (extension == "PIPELINING" && !_server.Options.AdvertisePipelining)
            {
                continue;
            }

            if (extension.StartsWith("AUTH", StringComparison.Ordinal) && !_server.OffersAuthentication(context.Pipe.IsSecure))
            {
                continue;
            }

            // SmtpServer knows PLAIN and LOGIN only; XOAUTH2 is translated for it (see XOAuth2Rewriter).
            yield return extension.StartsWith("AUTH", StringComparison.Ordinal) && _server.Options.OffersXOAuth2
                ? $"{extension} XOAUTH2"
                : extension;
        }

        yield return "ENHANCEDSTATUSCODES";
    }
}
