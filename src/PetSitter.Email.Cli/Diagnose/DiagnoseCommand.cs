using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MimeKit;

namespace PetSitter.Email.Cli.Diagnose;

/// <summary>
/// <c>diagnose</c>: walks "What can go wrong with SMTP?" against a real server (resolve, connect, TLS,
/// capabilities, sign-in, sender) and prints each question with its answer and the owner's advice.
/// Exit codes: 0 healthy, 1 a problem found, 2 bad arguments.
/// </summary>
internal static class DiagnoseCommand
{
    public const int Healthy = 0;
    public const int ProblemFound = 1;
    public const int UsageError = 2;

    private static readonly string[] SecurityValues = ["auto", "ssl", "starttls", "none"];

    public static Command Create(TextWriter output, TextWriter error) => Create(output, error, ConsolePassword.Read);

    /// <param name="output">Where the report goes.</param>
    /// <param name="error">Where usage errors and the password prompt go.</param>
    /// <param name="readPassword">Asks for the password interactively, or returns <see langword="null"/> when there is no terminal.</param>
    internal static Command Create(TextWriter output, TextWriter error, Func<string, TextWriter, string?> readPassword)
    {
        var host = new Option<string?>("--host") { Description = $"The SMTP server's host name, for example {ProviderPresets.Gmail.Hosts[0]}." };
        var port = new Option<int?>("--port") { Description = "The server's port, usually 587 (STARTTLS) or 465 (SSL/TLS)." };
        var security = new Option<string>("--security")
        {
            Description = "How the connection is secured: auto (SSL/TLS on 465, STARTTLS otherwise), ssl, starttls or none.",
            DefaultValueFactory = _ => "auto",
        };
        security.AcceptOnlyFromAmong(SecurityValues);
        var userName = new Option<string?>("--username") { Description = "The user name to sign in with (usually the email address). Without it, no sign-in is tried." };
        var passwordEnv = new Option<string?>("--password-env")
        {
            Description = "The environment variable that holds the password. Without it, the password is asked for when a terminal is attached; it is never taken on the command line.",
        };
        var accessTokenEnv = new Option<string?>("--access-token-env")
        {
            Description = "The environment variable that holds a ready OAuth2 access token: sign in with XOAUTH2 (Gmail, Microsoft 365) instead of a password. Needs --username (the mailbox the token is for). The token is never refreshed, printed or taken on the command line.",
        };
        var from = new Option<string?>("--from") { Description = "The From address to check with MAIL FROM and RCPT TO itself (then RSET: nothing is sent)." };
        var caFile = new Option<FileInfo?>("--ca-file") { Description = "A PEM file of private certificate authorities to trust for this check only. Certificates are always validated." };
        var sendTest = new Option<string?>("--send-test") { Description = "Send a real test message to this address (needs --from)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON document: { healthy, findings: [ { check, status, failureKind, reply, advice } ] }." };
        var timeout = new Option<double>("--timeout")
        {
            Description = "The longest any one step may take, in seconds.",
            DefaultValueFactory = _ => DiagnosticOptions.DefaultStepTimeout.TotalSeconds,
        };
        var provider = new Option<string?>("--provider")
        {
            Description = $"The provider behind the server, when its host name does not say (your own name in front of Microsoft 365 or Google): its rules read the replies and its limits apply. One of: {string.Join(", ", ProviderPresets.Names)}.",
        };
        var dnsServer = new Option<string[]>("--dns-server")
        {
            Description = "A DNS server to check the From domain's SPF, DKIM and DMARC records with, as ADDRESS or ADDRESS:PORT (repeatable; all on one port). Default: the system's.",
            AllowMultipleArgumentsPerToken = false,
        };
        var noDomainCheck = new Option<bool>("--no-domain-check") { Description = "Do not look up the From domain's SPF, DKIM and DMARC records." };
        var demo = new Option<bool>("--demo") { Description = "Diagnose the demo's emulated accounts (a healthy one and one with a wrong password) side by side; no other connection options." };

        var command = new Command("diagnose", "Check an SMTP account against its real server, question by question of \"What can go wrong with SMTP?\", and say what to do. Sends nothing unless --send-test.")
        {
            host, port, security, userName, passwordEnv, from, caFile, sendTest, json, timeout, demo, provider, accessTokenEnv,
        };
        command.Options.Add(dnsServer);
        command.Options.Add(noDomainCheck);

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var request = new DiagnoseRequest(
                parseResult.GetValue(host),
                parseResult.GetValue(port),
                parseResult.GetValue(security)!,
                parseResult.GetValue(userName),
                parseResult.GetValue(passwordEnv),
                parseResult.GetValue(from),
                parseResult.GetValue(caFile),
                parseResult.GetValue(sendTest),
                parseResult.GetValue(json),
                parseResult.GetValue(timeout),
                parseResult.GetValue(demo),
                parseResult.GetValue(provider),
                parseResult.GetValue(accessTokenEnv),
                parseResult.GetValue(dnsServer),
                parseResult.GetValue(noDomainCheck));
            return await RunAsync(request, output, error, readPassword, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    internal static async Task<int> RunAsync(DiagnoseRequest request, TextWriter output, TextWriter error, Func<string, TextWriter, string?> readPassword, CancellationToken cancellationToken)
    {
        if (request.TimeoutSeconds is <= 0 or > 600 || double.IsNaN(request.TimeoutSeconds))
        {
            return Usage(error, "--timeout must be more than 0 and at most 600 seconds.");
        }

        var dnsServers = new List<IPEndPoint>();
        foreach (var text in request.DnsServers ?? [])
        {
            if (!IPEndPoint.TryParse(text, out var endpoint))
            {
                return Usage(error, $"--dns-server '{text}' is not an IP address with an optional port, for example 127.0.0.1 or 127.0.0.1:5353.");
            }

            dnsServers.Add(endpoint.Port == 0 ? new IPEndPoint(endpoint.Address, 53) : endpoint);
        }

        if (dnsServers.Select(e => e.Port).Distinct().Count() > 1)
        {
            return Usage(error, "--dns-server: give servers that all listen on the same port.");
        }

        var options = new DiagnosticOptions
        {
            StepTimeout = TimeSpan.FromSeconds(request.TimeoutSeconds),
            TestRecipient = request.SendTest,
            DnsServers = dnsServers,
            CheckSenderDomain = !request.NoDomainCheck,
        };

        if (request.Demo)
        {
            if (request.Host is not null || request.Port is not null || request.UserName is not null || request.PasswordEnv is not null || request.AccessTokenEnv is not null
                || request.From is not null || request.CaFile is not null || request.SendTest is not null || request.Provider is not null
                || dnsServers.Count > 0)
            {
                return Usage(error, "--demo diagnoses the demo's own accounts: leave out --host, --port, --username, --password-env, --access-token-env, --from, --ca-file, --send-test, --provider and --dns-server (it answers its domains from a zone of its own).");
            }

            return await DiagnoseDemo.RunAsync(output, request.Json, options, cancellationToken).ConfigureAwait(false);
        }

        var (account, problem) = BuildAccount(request, error, readPassword);
        if (account is null)
        {
            return Usage(error, problem!);
        }

        var report = await DiagnosticsService.Create().RunAsync(account, options, cancellationToken).ConfigureAwait(false);
        if (request.Json)
        {
            DiagnoseOutput.WriteJson(output, report);
        }
        else
        {
            DiagnoseOutput.WriteText(output, report, account);
        }

        return report.IsHealthy ? Healthy : ProblemFound;
    }

    private static (SmtpAccountSettings? Account, string? Problem) BuildAccount(DiagnoseRequest request, TextWriter error, Func<string, TextWriter, string?> readPassword)
    {
        if (string.IsNullOrWhiteSpace(request.Host) || request.Port is null)
        {
            return (null, "diagnose needs --host and --port (or --demo).");
        }

        if (request.Port is < 1 or > 65535)
        {
            return (null, string.Create(CultureInfo.InvariantCulture, $"--port {request.Port} is out of range: use 1-65535 (usually 587 or 465)."));
        }

        if (request.From is not null && !IsMailbox(request.From))
        {
            return (null, $"--from '{request.From}' is not an email address.");
        }

        if (request.SendTest is not null && !IsMailbox(request.SendTest))
        {
            return (null, $"--send-test '{request.SendTest}' is not an email address.");
        }

        if (request.Provider is not null && ProviderPresets.Find(request.Provider) is null)
        {
            return (null, $"--provider '{request.Provider}' is not a known provider: use one of {string.Join(", ", ProviderPresets.Names)}.");
        }

        if (request.SendTest is not null && request.From is null)
        {
            return (null, "--send-test needs --from: the test message is sent from that address.");
        }

        string? password = null;
        ISmtpAccessTokenProvider? token = null;
        if (request.AccessTokenEnv is { } tokenVariable)
        {
            if (request.PasswordEnv is not null)
            {
                return (null, "Use either --password-env or --access-token-env: an account signs in with a password or with an OAuth2 token, not both.");
            }

            if (request.UserName is null)
            {
                return (null, "--access-token-env needs --username: the mailbox the token was issued for (XOAUTH2 signs in as that user).");
            }

            var value = Environment.GetEnvironmentVariable(tokenVariable);
            if (string.IsNullOrWhiteSpace(value) || value.Any(c => char.IsControl(c) || c == ' '))
            {
                return (null, $"The environment variable {tokenVariable} (from --access-token-env) is not set, is empty, or is not a single token (no 'Bearer ' prefix, no spaces).");
            }

            token = new ReadyAccessToken(value.Trim());
        }
        else
        {
            var (typed, passwordProblem) = ReadPassword(request, error, readPassword);
            if (passwordProblem is not null)
            {
                return (null, passwordProblem);
            }

            password = typed;
        }

        var (authorities, caProblem) = ReadAuthorities(request.CaFile);
        if (caProblem is not null)
        {
            return (null, caProblem);
        }

        var account = new SmtpAccountSettings
        {
            Host = request.Host.Trim(),
            Port = request.Port.Value,
            Security = request.Security switch
            {
                "ssl" => SmtpSecurity.ImplicitTls,
                "starttls" => SmtpSecurity.StartTls,
                "none" => SmtpSecurity.None,
                _ => SmtpSecurity.Auto,
            },
            UserName = request.UserName,
            Password = password,
            AccessTokenProvider = token,
            FromAddress = request.From ?? string.Empty,
            TrustedCertificateAuthorities = authorities,
            Provider = request.Provider?.Trim(),
        };
        return (account, null);
    }

    private static (string? Password, string? Problem) ReadPassword(DiagnoseRequest request, TextWriter error, Func<string, TextWriter, string?> readPassword)
    {
        if (request.PasswordEnv is { } variable)
        {
            if (request.UserName is null)
            {
                return (null, "--password-env needs --username: the password signs in that user.");
            }

            var value = Environment.GetEnvironmentVariable(variable);
            return string.IsNullOrEmpty(value)
                ? (null, $"The environment variable {variable} (from --password-env) is not set or is empty.")
                : (value, null);
        }

        if (request.UserName is null)
        {
            return (null, null);
        }

        var typed = readPassword(request.UserName, error);
        return string.IsNullOrEmpty(typed)
            ? (null, "--username needs a password: put it in an environment variable and name it with --password-env VAR, or run in a terminal to be asked for it. It is never taken on the command line.")
            : (typed, null);
    }

    private static (IReadOnlyList<X509Certificate2> Authorities, string? Problem) ReadAuthorities(FileInfo? file)
    {
        if (file is null)
        {
            return ([], null);
        }

        if (!file.Exists)
        {
            return ([], $"--ca-file {file.FullName} does not exist.");
        }

        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPemFile(file.FullName);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException)
        {
            return ([], $"--ca-file {file.FullName} could not be read as PEM certificates: {ex.Message}");
        }

        return certificates.Count == 0
            ? ([], $"--ca-file {file.FullName} holds no PEM certificate (-----BEGIN CERTIFICATE-----).")
            : ([.. certificates], null);
    }

    private static bool IsMailbox(string value) =>
        MailboxAddress.TryParse(value, out var mailbox) && mailbox.Address.Contains('@', StringComparison.Ordinal) && string.IsNullOrEmpty(mailbox.Name);

    private static int Usage(TextWriter error, string message)
    {
        error.WriteLine($"diagnose: {message}");
        return UsageError;
    }
}
