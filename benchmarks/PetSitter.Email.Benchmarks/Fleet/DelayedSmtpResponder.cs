using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PetSitter.Email.Benchmarks;

/// <summary>
/// A minimal loopback SMTP responder for the fleet benchmark: it answers every command a MailKit client sends
/// without TLS (EHLO advertises PIPELINING, AUTH PLAIN with any credentials, and 8BITMIME), counts the messages and keeps nothing else, and
/// holds each flight of replies back by a fixed delay, as a round trip to a distant provider does.
/// </summary>
/// <remarks>
/// The delay is per flight, not per reply: the replies to everything the client wrote before it waited (MAIL FROM,
/// RCPT TO and DATA in one pipelined batch) go out together after one delay, as they would cross the internet in one
/// round trip. The in-process <c>ScriptedSmtpServer</c> delays per reply and records every message it receives
/// (parsed, kept until it is disposed), which would make it the bottleneck and the memory figure its own.
/// </remarks>
internal sealed class DelayedSmtpResponder : IAsyncDisposable
{
    private static readonly byte[] Greeting = "220 fleet.test ESMTP ready\r\n"u8.ToArray();
    private static readonly byte[] EhloReply = "250-fleet.test\r\n250-PIPELINING\r\n250-AUTH PLAIN\r\n250 8BITMIME\r\n"u8.ToArray();
    private static readonly byte[] SignedIn = "235 2.7.0 Authentication successful\r\n"u8.ToArray();
    private static readonly byte[] Ok = "250 2.1.0 OK\r\n"u8.ToArray();
    private static readonly byte[] StartData = "354 Go ahead\r\n"u8.ToArray();
    private static readonly byte[] Queued = "250 2.0.0 OK queued\r\n"u8.ToArray();
    private static readonly byte[] Bye = "221 2.0.0 Bye\r\n"u8.ToArray();
    private static readonly byte[] Unknown = "502 5.5.2 Command not implemented\r\n"u8.ToArray();

    // FLEET_TRACE=1 prints every flight of replies with its time and client port: how the round trips per message were counted.
    private static readonly bool Trace = Environment.GetEnvironmentVariable("FLEET_TRACE") == "1";

    private readonly TcpListener _listener;
    private readonly TimeSpan _delay;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private long _messages;
    private long _connections;

    private DelayedSmtpResponder(TimeSpan delay)
    {
        _delay = delay;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start(backlog: 4096);
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public long Messages => Interlocked.Read(ref _messages);

    public long ConnectionsOpened => Interlocked.Read(ref _connections);

    public static DelayedSmtpResponder Start(TimeSpan delay) => new(delay);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        try
        {
            await _accepting.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopping.
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var socket = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
            socket.NoDelay = true;
            Interlocked.Increment(ref _connections);
            _ = Task.Run(() => ServeAsync(socket));
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using var _ = socket;
        var stream = new NetworkStream(socket, ownsSocket: false);
        var input = new byte[16 * 1024];
        var output = new MemoryStream();
        var filled = 0;
        var inData = false;
        try
        {
            await DelayAsync().ConfigureAwait(false);
            await stream.WriteAsync(Greeting, _stop.Token).ConfigureAwait(false);
            while (true)
            {
                if (filled == input.Length)
                {
                    // A line longer than the buffer (message body): keep only its tail, which may hold the end of data.
                    Array.Copy(input, filled - 8, input, 0, 8);
                    filled = 8;
                }

                var read = await stream.ReadAsync(input.AsMemory(filled), _stop.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }

                filled += read;
                var start = 0;
                var quit = false;
                int end;
                while ((end = Array.IndexOf(input, (byte)'\n', start, filled - start)) >= 0)
                {
                    var line = input.AsSpan(start, end - start + 1);
                    start = end + 1;
                    if (inData)
                    {
                        if (line.SequenceEqual(".\r\n"u8))
                        {
                            inData = false;
                            Interlocked.Increment(ref _messages);
                            output.Write(Queued);
                        }

                        continue;
                    }

                    quit = Answer(line, output, ref inData);
                }

                filled -= start;
                Array.Copy(input, start, input, 0, filled);
                if (output.Length > 0)
                {
                    if (Trace)
                    {
                        Console.Error.WriteLine($"{DateTime.UtcNow:ss.fff} {((IPEndPoint)socket.RemoteEndPoint!).Port} flight: {Encoding.ASCII.GetString(output.GetBuffer(), 0, (int)output.Length).Replace("\r\n", " | ", StringComparison.Ordinal)}");
                    }

                    // Everything the client sent in this flight is answered after one round trip.
                    await DelayAsync().ConfigureAwait(false);
                    await stream.WriteAsync(output.GetBuffer().AsMemory(0, (int)output.Length), _stop.Token).ConfigureAwait(false);
                    output.SetLength(0);
                }

                if (quit)
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away or the responder stops.
        }
    }

    private static bool Answer(ReadOnlySpan<byte> line, MemoryStream output, ref bool inData)
    {
        var verb = line.Length >= 4 ? Encoding.ASCII.GetString(line[..4]).ToUpperInvariant() : string.Empty;
        switch (verb)
        {
            case "EHLO":
                output.Write(EhloReply);
                return false;
            case "AUTH":
                // Any credentials: the fleet measures the wire, not the sign-in (PLAIN with its initial response, one round trip).
                output.Write(SignedIn);
                return false;
            case "MAIL":
            case "RCPT":
            case "RSET":
            case "NOOP":
                output.Write(Ok);
                return false;
            case "DATA":
                inData = true;
                output.Write(StartData);
                return false;
            case "QUIT":
                output.Write(Bye);
                return true;
            default:
                output.Write(Unknown);
                return false;
        }
    }

    private Task DelayAsync() => _delay > TimeSpan.Zero ? Task.Delay(_delay, _stop.Token) : Task.CompletedTask;
}
