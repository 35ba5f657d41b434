using System.Net.Sockets;
using System.Text;

namespace PetSitter.Email.Testing.Tests.Support;

/// <summary>A plain socket speaking SMTP line by line: for checking bytes on the wire and commands MailKit would not send.</summary>
internal sealed class RawSmtpConnection : IAsyncDisposable
{
    private readonly TcpClient _client;
    private readonly StreamReader _reader;
    private readonly Stream _stream;

    private RawSmtpConnection(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
        _reader = new StreamReader(_stream, Encoding.ASCII);
    }

    public static async Task<RawSmtpConnection> ConnectAsync(ScriptedSmtpServer server)
    {
        var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port, TestClients.Timeout());
        return new RawSmtpConnection(client);
    }

    /// <summary>Reads one whole reply, every line with its CRLF, as sent.</summary>
    public async Task<string> ReadReplyAsync()
    {
        var reply = new StringBuilder();
        while (true)
        {
            var line = await _reader.ReadLineAsync(TestClients.Timeout()) ?? throw new EndOfStreamException($"The server closed the connection after '{reply}'.");
            reply.Append(line).Append("\r\n");
            if (line.Length < 4 || line[3] == ' ')
            {
                return reply.ToString();
            }
        }
    }

    public async Task<string> SendAsync(string command)
    {
        await _stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\r\n"), TestClients.Timeout());
        return await ReadReplyAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _reader.Dispose();
        await _stream.DisposeAsync();
        _client.Dispose();
    }
}
