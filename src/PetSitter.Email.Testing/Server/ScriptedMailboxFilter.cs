using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Storage;

namespace PetSitter.Email.Testing;

/// <summary>Hands MAIL FROM and RCPT TO to the scripted server.</summary>
internal sealed class ScriptedMailboxFilter : IMailboxFilter
{
    private readonly ScriptedSmtpServer _server;

    public ScriptedMailboxFilter(ScriptedSmtpServer server)
    {
        _server = server;
    }

    public Task<bool> CanAcceptFromAsync(ISessionContext context, IMailbox from, int size, CancellationToken cancellationToken) =>
        Task.FromResult(_server.OnMailFrom(context, from.AsAddress() ?? string.Empty));

    public Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken cancellationToken) =>
        Task.FromResult(_server.OnRcptTo(context, to.AsAddress() ?? string.Empty));
}
