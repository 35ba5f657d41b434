using MailKit;
using MailKit.Net.Smtp;

namespace PetSitter.Email.Diagnostics;

/// <summary>
/// MailKit's client with its protected raw-command method opened up: the sender check needs MAIL FROM
/// and RSET on their own, and MailKit has no public call that sends MAIL FROM without a message.
/// </summary>
internal sealed class DiagnosticSmtpClient : SmtpClient
{
    public DiagnosticSmtpClient(IProtocolLogger logger)
        : base(logger)
    {
    }

    /// <summary>Sends one command and returns the server's reply, whatever its code.</summary>
    public Task<SmtpResponse> CommandAsync(string command, CancellationToken cancellationToken) =>
        SendCommandAsync(command, cancellationToken);
}
