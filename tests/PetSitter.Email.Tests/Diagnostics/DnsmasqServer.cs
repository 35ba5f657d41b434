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
    private const int MaxStartAttempts = 5;
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
        var configuration = lines.ToList();

        // dnsmasq listens on UDP and TCP: a port free when it was picked can be taken by then, in TCP by the client side of
        // one of the loopback SMTP connections the tests beside this one open by the thousand (21 tests failed so once).
        var failures = new List<string>();
        for (var attempt = 0; attempt < MaxStartAttempts; attempt++)
        {
            try
            {
                return await StartOnceAsync(dnsmasq, configuration, probeName);
            }
            catch (DnsmasqExitedException exited)
            {
                failures.Add(exited.Message);
            }
        }

        throw new InvalidOperationException($"dnsmasq did not start in {MaxStartAttempts} attempts, each on a new port:\n{string.Join("\n", failures)}");
    }

    private static async Task<DnsmasqServer> StartOnceAsync(string dnsmasq, IReadOnlyList<string> lines, string probeName)
    {
        var root = Directory.CreateTempSubdirectory("psdns").FullName;
        var port = FreePort();
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
                throw new DnsmasqExitedException($"dnsmasq exited with {_process.ExitCode} on port {Port}: {error}");
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

    /// <summary>A loopback port free in UDP and in TCP at the moment it is picked.</summary>
    private static int FreePort()
    {
        while (true)
        {
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)udp.LocalEndPoint!).Port;
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                tcp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException)
            {
                // Taken in TCP: pick another.
            }
        }
    }

    private sealed class DnsmasqExitedException(string message) : Exception(message);
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
