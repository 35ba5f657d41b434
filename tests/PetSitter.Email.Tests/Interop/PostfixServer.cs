using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using PetSitter.Email.Testing;

namespace PetSitter.Email.Tests.Interop;

/// <summary>
/// A real Postfix with Dovecot SASL, each started with its own configuration directory under a temp
/// directory (<c>postfix -c DIR start</c>, <c>dovecot -c FILE</c>), listening on free loopback ports only,
/// and stopped by the PIDs they wrote. Nothing under /etc is read or changed.
/// </summary>
/// <remarks>
/// <para>Needs Debian's <c>postfix</c> and <c>dovecot-core</c> (installed by <c>./build.sh test</c> when
/// missing) and root, as on CI: Postfix starts its daemons as root and drops to <c>postfix</c>, Dovecot's
/// auth process runs as <c>dovecot</c>, and delivery writes Maildirs as <c>nobody</c>.</para>
/// <para>Every listener has its own <c>syslog_name</c> (<c>postfix/NAME</c>) and, for the rate limits, its
/// own anvil counters (anvil counts per service and client address), so a test reads its own log lines and
/// its limits start fresh. Delivery is Postfix's <c>virtual</c> agent into <c>mail/LOCALPART/</c> for the
/// addresses in <see cref="Mailboxes"/>; any other local address is unknown (550 5.1.1).</para>
/// </remarks>
public sealed class PostfixServer : IAsyncDisposable
{
    public const string Domain = "petsitter.test";
    public const string Owner = "owner@petsitter.test";
    public const string OtherUser = "other@petsitter.test";

    /// <summary>Postfix's <c>message_size_limit</c> here: 64 KiB.</summary>
    public const int MessageSizeLimit = 65_536;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(30);
    private static readonly string[] QueueFolders = ["maildrop", "incoming", "active", "deferred", "hold"];

    private readonly Dictionary<string, int> _ports;
    private int? _postfixPid;
    private int? _dovecotPid;

    private PostfixServer(string root, Dictionary<string, int> ports, string ownerPassword, string otherPassword)
    {
        Root = root;
        _ports = ports;
        OwnerPassword = ownerPassword;
        OtherPassword = otherPassword;
    }

    public string Root { get; }

    public string OwnerPassword { get; }

    public string OtherPassword { get; }

    public string MailLog => Path.Combine(Root, "maillog");

    /// <summary>The listeners: name, smtpd options beyond the instance's main.cf.</summary>
    public static IReadOnlyDictionary<string, string[]> Listeners { get; } = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        // 587-style submission: STARTTLS, AUTH only after it.
        ["submission"] = [],
        ["mismatch"] = [],
        ["toolarge"] = [],
        ["unknown"] = [],
        ["wrongpw"] = [],
        ["wrongburst"] = [],

        // 465-style: TLS from the first byte.
        ["smtps"] = ["smtpd_tls_wrappermode=yes"],

        // anvil's limits, each on a listener of its own.
        ["msgrate"] = ["smtpd_client_message_rate_limit=3"],
        ["rcptrate"] = ["smtpd_client_recipient_rate_limit=3"],
        ["authrate"] = ["smtpd_client_auth_rate_limit=2"],
        ["connrate"] = ["smtpd_client_connection_rate_limit=2"],
    };

    /// <summary>The mailboxes that exist (one per test, so each counts its own deliveries); any other address is unknown.</summary>
    public static IReadOnlyList<string> Mailboxes { get; } =
        ["client-starttls", "client-smtps", "client-wrongpw", "client-wrongburst", "client-mismatch", "client-toolarge", "client-unknown", "client-msgrate", "client-rcptrate", "client-authrate", "client-connrate"];

    public int Port(string listener) => _ports[listener];

    public static async Task<PostfixServer> StartAsync(string ownerPassword, string otherPassword)
    {
        var postfix = FindExecutable("postfix");
        var dovecot = FindExecutable("dovecot");
        if (postfix is null || dovecot is null)
        {
            throw new InvalidOperationException(
                "The Postfix interop tests need Debian's postfix and dovecot-core (postfix or dovecot was not found on PATH or in /usr/sbin). "
                + "./build.sh test installs them when it runs as root with apt; otherwise: "
                + "echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections && apt-get install -y postfix dovecot-core.");
        }

        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            throw new InvalidOperationException($"The Postfix interop tests start Postfix and Dovecot, which need root (as on CI); this process runs as {Environment.UserName}.");
        }

        // A free port found here can be taken by another process before Postfix binds it (other test runs on the
        // same machine): start again on new ports, a bounded number of times.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnFreePortsAsync(dovecot, postfix, ownerPassword, otherPassword);
            }
            catch (InvalidOperationException ex) when (attempt < MaxStartAttempts && ex.Message.Contains("Address already in use", StringComparison.Ordinal))
            {
            }
        }
    }

    private const int MaxStartAttempts = 3;

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static async Task<PostfixServer> StartOnFreePortsAsync(string dovecot, string postfix, string ownerPassword, string otherPassword)
    {
        // Unix socket paths are limited to 107 bytes: keep the root short.
        var root = Directory.CreateTempSubdirectory("psfx").FullName;
        File.SetUnixFileMode(root, (UnixFileMode)Convert.ToInt32("755", 8));
        var ports = Listeners.Keys.ToDictionary(name => name, _ => 0, StringComparer.Ordinal);
        foreach (var name in Listeners.Keys)
        {
            ports[name] = FreePort(ports.Values);
        }

        var server = new PostfixServer(root, ports, ownerPassword, otherPassword);
        try
        {
            server.WriteConfiguration();
            using var timeout = new CancellationTokenSource(StartTimeout);
            await server.StartDovecotAsync(dovecot, timeout.Token);
            await server.StartPostfixAsync(postfix, timeout.Token);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>How many messages sit in the Maildir of <paramref name="localPart"/>@petsitter.test.</summary>
    public IReadOnlyList<string> Delivered(string localPart)
    {
        var box = Path.Combine(Root, "mail", localPart);
        return [.. new[] { "new", "cur" }
            .Select(folder => Path.Combine(box, folder))
            .Where(Directory.Exists)
            .SelectMany(Directory.EnumerateFiles)
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>The Message-ID header of each message delivered to <paramref name="localPart"/>.</summary>
    public IReadOnlyList<string> DeliveredMessageIds(string localPart) =>
        [.. Delivered(localPart).Select(file => File.ReadLines(file)
            .FirstOrDefault(line => line.StartsWith("Message-ID:", StringComparison.OrdinalIgnoreCase))?["Message-ID:".Length..].Trim().Trim('<', '>') ?? "(none)")];

    /// <summary>Whether Postfix's queue holds no message (everything accepted was delivered or bounced).</summary>
    public bool QueueIsEmpty => QueueFolders
        .Select(folder => Path.Combine(Root, "queue", folder))
        .Where(Directory.Exists)
        .All(folder => !Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Any());

    /// <summary>The log lines of one listener (its syslog name is postfix/NAME).</summary>
    public IReadOnlyList<string> LogOf(string listener) => [.. ReadLog().Where(line => line.Contains($" postfix/{listener}/", StringComparison.Ordinal))];

    /// <summary>
    /// Waits until <paramref name="condition"/> holds, re-checking whenever Postfix writes its log: every
    /// delivery, removal from the queue and end of session is followed by a log line.
    /// </summary>
    public async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var changed = new SemaphoreSlim(0);
        using var watcher = new FileSystemWatcher(Root, "maillog") { NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.FileName };
        watcher.Changed += (_, _) => changed.Release();
        watcher.Created += (_, _) => changed.Release();
        watcher.Error += (_, _) => changed.Release();
        watcher.EnableRaisingEvents = true;
        using var timeout = new CancellationTokenSource(WaitTimeout);
        try
        {
            while (!condition())
            {
                await changed.WaitAsync(timeout.Token);
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"Postfix did not reach '{what}' within {WaitTimeout.TotalSeconds} s. Log:\n{string.Join('\n', ReadLog().TakeLast(40))}");
        }
    }

    /// <summary>Waits until <paramref name="sessions"/> sessions on <paramref name="listener"/> have ended, and returns its lines.</summary>
    public async Task<IReadOnlyList<string>> SessionsEndedAsync(string listener, int sessions)
    {
        await WaitUntilAsync(() => LogOf(listener).Count(line => line.Contains(" disconnect from ", StringComparison.Ordinal)) >= sessions, $"{sessions} sessions on {listener} ended");
        return LogOf(listener);
    }

    /// <summary>Sums a command's counter ("auth=0/1": 1 sent) over a listener's ended sessions.</summary>
    public static int CommandsSent(IEnumerable<string> lines, string command)
    {
        var pattern = new Regex($@" {command}=(?:(\d+)/)?(\d+)\b", RegexOptions.CultureInvariant);
        return lines.Where(line => line.Contains(" disconnect from ", StringComparison.Ordinal))
            .Select(line => pattern.Match(line))
            .Where(match => match.Success)
            .Sum(match => int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    public async ValueTask DisposeAsync()
    {
        // A start that failed half-way may have left a daemon whose PID was not read yet: its PID file says.
        await StopAsync(_postfixPid ?? await PidInAsync(Path.Combine(Root, "queue", "pid", "master.pid")));
        await StopAsync(_dovecotPid ?? await PidInAsync(Path.Combine(Root, "dovecot", "master.pid")));
        _postfixPid = null;
        _dovecotPid = null;
        if (Environment.GetEnvironmentVariable("PETSITTER_KEEP_POSTFIX_DIR") is "1")
        {
            // For a look at maillog, dovecot.log and the Maildirs after a run.
            return;
        }

        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A daemon still closing a file: the temp directory is left behind, nothing else.
        }
    }

    private List<string> ReadLog()
    {
        if (!File.Exists(MailLog))
        {
            return [];
        }

        using var stream = new FileStream(MailLog, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            lines.Add(line);
        }

        return lines;
    }

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private void WriteConfiguration()
    {
        var conf = Directory.CreateDirectory(Path.Combine(Root, "conf")).FullName;
        Directory.CreateDirectory(Path.Combine(Root, "queue"));
        var mail = Directory.CreateDirectory(Path.Combine(Root, "mail")).FullName;

        // virtual(8) delivers as nobody and creates each Maildir itself.
        File.SetUnixFileMode(mail, (UnixFileMode)Convert.ToInt32("777", 8));

        // The test CA's server certificate, as the scripted servers use: clients trust it per account.
        var certificate = TestCertificateAuthority.Shared.ServerCertificate;
        File.WriteAllText(Path.Combine(Root, "cert.pem"), certificate.ExportCertificatePem());
        var key = Path.Combine(Root, "key.pem");
        File.WriteAllText(key, certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        File.WriteAllText(Path.Combine(Root, "users"), $"{Owner}:{{PLAIN}}{OwnerPassword}\n{OtherUser}:{{PLAIN}}{OtherPassword}\n");
        File.WriteAllText(Path.Combine(Root, "senders"), $"{Owner} {Owner}\n{OtherUser} {OtherUser}\n");
        File.WriteAllText(Path.Combine(Root, "mailboxes"), string.Concat(Mailboxes.Append("owner").Append("other").Select(box => $"{box}@{Domain} {box}/\n")));

        File.WriteAllText(Path.Combine(Root, "dovecot.conf"), $$"""
            base_dir = {{Root}}/dovecot
            state_dir = {{Root}}/dovecot/state
            log_path = {{Root}}/dovecot.log
            instance_name = petsitter-{{Path.GetFileName(Root)}}
            protocols = none
            listen = 127.0.0.1
            ssl = no
            disable_plaintext_auth = no
            auth_mechanisms = plain login
            auth_failure_delay = 0
            default_internal_user = dovecot
            default_login_user = dovenull
            passdb {
              driver = passwd-file
              args = scheme=PLAIN username_format=%u {{Root}}/users
            }
            userdb {
              driver = static
              args = uid=nobody gid=nogroup home={{Root}}/mail/%n
            }
            service auth {
              unix_listener {{Root}}/auth {
                mode = 0666
              }
            }

            """);

        File.WriteAllText(Path.Combine(conf, "main.cf"), $"""
            compatibility_level = 3.6
            config_directory = {conf}
            queue_directory = {Root}/queue
            data_directory = {Root}/data
            mail_owner = postfix
            setgid_group = postdrop
            maillog_file = {Root}/maillog
            maillog_file_prefixes = {Root}
            myhostname = mx.{Domain}
            mydomain = {Domain}
            myorigin = {Domain}
            mydestination =
            alias_maps =
            alias_database =
            inet_interfaces = 127.0.0.1
            inet_protocols = ipv4
            mynetworks = 127.0.0.1/32
            biff = no
            smtputf8_enable = no
            message_size_limit = {MessageSizeLimit}
            virtual_mailbox_domains = {Domain}
            virtual_mailbox_base = {mail}
            virtual_mailbox_maps = texthash:{Root}/mailboxes
            virtual_uid_maps = static:65534
            virtual_gid_maps = static:65534
            smtpd_sasl_auth_enable = yes
            smtpd_sasl_type = dovecot
            smtpd_sasl_path = {Root}/auth
            smtpd_tls_cert_file = {Root}/cert.pem
            smtpd_tls_key_file = {key}
            smtpd_tls_security_level = may
            smtpd_tls_auth_only = yes
            smtpd_sender_login_maps = texthash:{Root}/senders
            smtpd_sender_restrictions = reject_sender_login_mismatch
            smtpd_relay_restrictions = permit_sasl_authenticated, reject
            smtpd_recipient_restrictions = permit_sasl_authenticated, reject
            # Loopback is exempt from anvil's limits by default ($mynetworks): not here.
            smtpd_client_event_limit_exceptions =
            # Long enough that no test crosses a window: each limit test counts in one.
            anvil_rate_time_unit = 600s

            """);

        var master = new StringBuilder();
        foreach (var (name, options) in Listeners)
        {
            master.Append(CultureInfo.InvariantCulture, $"127.0.0.1:{_ports[name]} inet n - n - - smtpd -o syslog_name=postfix/{name}");
            foreach (var option in options)
            {
                master.Append(" -o ").Append(option);
            }

            master.Append('\n');
        }

        master.Append("""
            cleanup unix n - n - 0 cleanup
            qmgr unix n - n 300 1 qmgr
            tlsmgr unix - - n 1000? 1 tlsmgr
            rewrite unix - - n - - trivial-rewrite
            bounce unix - - n - 0 bounce
            defer unix - - n - 0 bounce
            trace unix - - n - 0 bounce
            verify unix - - n - 1 verify
            flush unix n - n 1000? 0 flush
            proxymap unix - - n - - proxymap
            smtp unix - - n - - smtp
            relay unix - - n - - smtp
            showq unix n - n - - showq
            error unix - - n - - error
            retry unix - - n - - error
            discard unix - - n - - discard
            virtual unix - n n - - virtual
            anvil unix - - n - 1 anvil
            scache unix - - n - 1 scache
            postlog unix-dgram n - n - 1 postlogd

            """);
        File.WriteAllText(Path.Combine(conf, "master.cf"), master.ToString());
    }

    private async Task StartDovecotAsync(string dovecot, CancellationToken cancellationToken)
    {
        var output = await RunAsync(dovecot, ["-c", Path.Combine(Root, "dovecot.conf")], cancellationToken);
        _dovecotPid = await ReadPidAsync(Path.Combine(Root, "dovecot", "master.pid"), "dovecot", output, cancellationToken);
        await WaitForFileAsync(Path.Combine(Root, "auth"), "Dovecot's auth socket", cancellationToken, hasContent: false);
    }

    private async Task StartPostfixAsync(string postfix, CancellationToken cancellationToken)
    {
        var output = await RunAsync(postfix, ["-c", Path.Combine(Root, "conf"), "start"], cancellationToken);
        _postfixPid = await ReadPidAsync(Path.Combine(Root, "queue", "pid", "master.pid"), "postfix", output, cancellationToken);

        // The master logs this once it has opened every listener. No test connection is made to check: it
        // would count against the listeners' connection limits and show up in their logs.
        await WaitUntilAsync(() => ReadLog().Any(line => line.Contains("postfix/master[", StringComparison.Ordinal) && line.Contains("daemon started", StringComparison.Ordinal)), "the master started");
    }

    /// <summary>
    /// Runs a start command. Its output goes to a file, not a pipe: the daemon it leaves behind keeps the
    /// descriptors it inherited, so reading a pipe to its end would wait until the daemon stops.
    /// </summary>
    private async Task<string> RunAsync(string executable, string[] arguments, CancellationToken cancellationToken)
    {
        var outputFile = Path.Combine(Root, $"{Path.GetFileName(executable)}.start.log");
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec \"$0\" \"$@\" >\"$PETSITTER_START_LOG\" 2>&1 </dev/null");
        start.ArgumentList.Add(executable);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["PETSITTER_START_LOG"] = outputFile;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{executable} did not start.");
        await process.WaitForExitAsync(cancellationToken);
        var output = File.Exists(outputFile) ? await File.ReadAllTextAsync(outputFile, cancellationToken) : string.Empty;
        if (process.ExitCode != 0)
        {
            var log = string.Join('\n', ReadLog().TakeLast(20));
            var dovecotLog = Path.Combine(Root, "dovecot.log");
            throw new InvalidOperationException(
                $"{Path.GetFileName(executable)} {string.Join(' ', arguments)} exited with {process.ExitCode}: {output}\n{log}\n{(File.Exists(dovecotLog) ? File.ReadAllText(dovecotLog) : string.Empty)}");
        }

        return output;
    }

    private static async Task<int> ReadPidAsync(string file, string what, string output, CancellationToken cancellationToken)
    {
        await WaitForFileAsync(file, $"{what}'s PID file", cancellationToken);
        var text = await ReadLockedAsync(file);
        return int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            ? pid
            : throw new InvalidOperationException($"{what} wrote no PID to {file} ('{text.Trim()}'): {output}");
    }

    private static async Task WaitForFileAsync(string file, string what, CancellationToken cancellationToken, bool hasContent = true)
    {
        var directory = Path.GetDirectoryName(file)!;
        Directory.CreateDirectory(directory);
        var appeared = new SemaphoreSlim(0);
        using var watcher = new FileSystemWatcher(directory, Path.GetFileName(file)) { NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size };
        watcher.Created += (_, _) => appeared.Release();
        watcher.Changed += (_, _) => appeared.Release();
        watcher.Renamed += (_, _) => appeared.Release();
        watcher.EnableRaisingEvents = true;
        try
        {
            while (!File.Exists(file) || (hasContent && new FileInfo(file).Length == 0))
            {
                await appeared.WaitAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{what} ({file}) did not appear within {StartTimeout.TotalSeconds} s.");
        }
    }

    private static async Task<int?> PidInAsync(string file) =>
        File.Exists(file) && int.TryParse((await ReadLockedAsync(file)).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;

    /// <summary>
    /// Reads a PID file its daemon holds locked. .NET takes a shared flock on every file it opens for
    /// reading, which the daemon's exclusive lock refuses; cat takes none.
    /// </summary>
    private static async Task<string> ReadLockedAsync(string file)
    {
        var start = new ProcessStartInfo("cat", [file]) { RedirectStandardOutput = true, UseShellExecute = false };
        using var cat = Process.Start(start) ?? throw new InvalidOperationException("cat did not start.");
        var text = await cat.StandardOutput.ReadToEndAsync();
        await cat.WaitForExitAsync();
        return text;
    }

    private static async Task StopAsync(int? pid)
    {
        if (pid is not { } id)
        {
            return;
        }

        Process process;
        try
        {
            process = Process.GetProcessById(id);
        }
        catch (ArgumentException)
        {
            return;
        }

        using (process)
        {
            // SIGTERM: Postfix's and Dovecot's masters stop their children and exit.
            using (var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", id.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false }))
            {
                await kill!.WaitForExitAsync();
            }

            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private static string? FindExecutable(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/sbin").Append("/usr/bin")
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);
    }

    private static int FreePort(IEnumerable<int> taken)
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            if (!taken.Contains(port))
            {
                return port;
            }
        }
    }
}
