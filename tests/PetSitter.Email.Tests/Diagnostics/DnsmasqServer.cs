using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using DnsClient;

namespace PetSitter.Email.Tests.Diagnostics;

/// <summary>
/// A real DNS server for the sender-domain tests: Debian's <c>dnsmasq</c> with its own configuration file under a
/// temp directory, listening on a free loopback port only, answering only the records it is given (no upstream, no
/// /etc/hosts), and stopped by its PID. Nothing under /etc is read or changed.
/// </summary>
/// <remarks>
/// Needs <c>dnsmasq</c> (Debian's <c>dnsmasq-base</c>, which starts no system service; installed by
/// <c>./build.sh test</c> when missing). Each zone named in <c>local</c> answers "no such name" for what it does not
/// hold, as an authoritative server would, so a missing record reads as missing rather than as a server failure.
/// </remarks>
public sealed class DnsmasqServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);

    private readonly Process _process;

    private DnsmasqServer(string root, int port, Process process)
    {
        Root = root;
        Port = port;
        _process = process;
    }

    public string Root { get; }

    public int Port { get; }

    public IPEndPoint Endpoint => new(IPAddress.Loopback, Port);

    /// <summary>Starts dnsmasq with <paramref name="lines"/> as its configuration (<c>txt-record=...</c>, <c>cname=...</c>, <c>local=/zone/</c>).</summary>
    public static async Task<DnsmasqServer> StartAsync(IEnumerable<string> lines, string probeName)
    {
        var dnsmasq = new[] { "/usr/sbin/dnsmasq", "/usr/bin/dnsmasq" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException(
                "The sender-domain tests need Debian's dnsmasq (dnsmasq-base): ./build.sh test installs it when it runs as root with apt; otherwise: apt-get install -y dnsmasq-base.");
        var root = Directory.CreateTempSubdirectory("psdns").FullName;
        var port = FreeUdpPort();
        var conf = Path.Combine(root, "dnsmasq.conf");
        await File.WriteAllLinesAsync(conf, lines);
        var start = new ProcessStartInfo(dnsmasq)
        {
            UseShellExecute = false,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        foreach (var argument in new[]
        {
            "--keep-in-foreground", "--no-resolv", "--no-hosts", "--no-poll", "--bind-interfaces", "--listen-address=127.0.0.1",
            $"--port={port.ToString(CultureInfo.InvariantCulture)}", $"--conf-file={conf}", $"--pid-file={Path.Combine(root, "dnsmasq.pid")}",
            $"--log-facility={Path.Combine(root, "dnsmasq.log")}", "--user=root",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dnsmasq did not start.");
        var server = new DnsmasqServer(root, port, process);
        try
        {
            await server.WaitUntilAnsweringAsync(probeName);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            using (var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false }))
            {
                await kill!.WaitForExitAsync();
            }

            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
        Directory.Delete(Root, recursive: true);
    }

    private async Task WaitUntilAnsweringAsync(string probeName)
    {
        // Each try waits for an answer with a short timeout: the wait is on the server, not on the clock.
        var client = new LookupClient(new LookupClientOptions(Endpoint) { Timeout = TimeSpan.FromMilliseconds(200), Retries = 0, UseCache = false, ThrowDnsErrors = false });
        using var timeout = new CancellationTokenSource(StartTimeout);
        while (true)
        {
            if (_process.HasExited)
            {
                var error = await _process.StandardError.ReadToEndAsync();
                throw new InvalidOperationException($"dnsmasq exited with {_process.ExitCode}: {error}");
            }

            try
            {
                var response = await client.QueryAsync(probeName, QueryType.TXT, QueryClass.IN, timeout.Token);
                if (response.Answers.Count > 0)
                {
                    return;
                }
            }
            catch (DnsResponseException)
            {
                // Not listening yet.
            }
        }
    }

    private static int FreeUdpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}

/// <summary>A "DNS server" that reads every query and never answers: a bound UDP socket that drops what it receives.</summary>
public sealed class SilentDnsServer : IAsyncDisposable
{
    private readonly UdpClient _socket = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _queries;

    public SilentDnsServer() => _loop = DropAsync();

    public IPEndPoint Endpoint => (IPEndPoint)_socket.Client.LocalEndPoint!;

    /// <summary>Gets how many queries arrived (and were dropped).</summary>
    public int Queries => Volatile.Read(ref _queries);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Dispose();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task DropAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            await _socket.ReceiveAsync(_stop.Token);
            Interlocked.Increment(ref _queries);
        }
    }
}
