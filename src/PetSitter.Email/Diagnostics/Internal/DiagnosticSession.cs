using System.Net.Sockets;
using MailKit.Net.Smtp;

namespace PetSitter.Email.Diagnostics;

/// <summary>
/// The open SMTP conversation the connect step hands to the later steps: the client, the protocol log
/// that keeps the server's replies, and the certificate check. Disposing it says QUIT and closes the socket.
/// </summary>
internal sealed class DiagnosticSession : IAsyncDisposable
{
    private static readonly TimeSpan QuitTimeout = TimeSpan.FromSeconds(2);

    private readonly Socket _socket;
    private readonly TimeProvider _time;

    public DiagnosticSession(Socket socket, DiagnosticSmtpClient client, DiagnosticProtocolLog log, DiagnosticCertificateCheck certificates, TimeProvider time)
    {
        _socket = socket;
        Client = client;
        Log = log;
        Certificates = certificates;
        _time = time;
    }

    public DiagnosticSmtpClient Client { get; }

    public DiagnosticProtocolLog Log { get; }

    public DiagnosticCertificateCheck Certificates { get; }

    public async ValueTask DisposeAsync()
    {
        await QuitAsync(Client, _time).ConfigureAwait(false);
        _socket.Dispose();
        Client.Dispose();
    }

    /// <summary>Says QUIT if the connection is still open, bounded by a short timeout on <paramref name="time"/>.</summary>
    public static async Task QuitAsync(SmtpClient client, TimeProvider time)
    {
        if (!client.IsConnected)
        {
            return;
        }

        try
        {
            // QUIT is a courtesy, bounded by its own short timeout whatever the caller's state.
            client.Timeout = (int)Math.Min(client.Timeout, QuitTimeout.TotalMilliseconds);
            using var quit = new CancellationTokenSource(QuitTimeout, time);
            await client.DisconnectAsync(quit: true, quit.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The connection is being closed anyway.
        }
    }
}
