using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using PetSitter.Email.Testing;

namespace PetSitter.Email.Cli.Tests;

/// <summary>
/// <c>diagnose</c> in-process against scripted loopback servers: exit codes, the JSON contract, the text
/// report, and where the password may come from.
/// </summary>
public sealed class DiagnoseCommandTests : IAsyncDisposable
{
    private const string Owner = "owner@paws.example";
    private const string Password = "app-password";

    private readonly string _passwordVariable = $"PETSITTER_DIAGNOSE_TEST_{Guid.NewGuid():N}";
    private readonly string _caFile = Path.Combine(Path.GetTempPath(), $"petsitter-diagnose-ca-{Guid.NewGuid():N}.pem");
    private readonly List<ScriptedSmtpServer> _servers = [];

    public DiagnoseCommandTests()
    {
        Environment.SetEnvironmentVariable(_passwordVariable, Password);
        File.WriteAllText(_caFile, TestCertificateAuthority.Shared.Certificate.ExportCertificatePem());
    }

    [Fact]
    public async Task A_healthy_account_exits_0_with_a_clear_verdict()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTlsRequired, UserName = Owner, Password = Password });

        var (exitCode, output, error) = await RunAsync(Args(server, "starttls", withCredentials: true));

        exitCode.Should().Be(0, error);
        output.Should().Contain("PASS         Is your email password correct?  Signed in as owner@paws.example (AUTH PLAIN).");
        output.Should().Contain("NOT CHECKED  Has your client marked your emails as spam or junk?");
        output.TrimEnd().Should().EndWith("Verdict: HEALTHY: mail can go out through this account.");
        output.Should().NotContain(Password);
        server.Messages.Should().BeEmpty();
    }

    [Fact]
    public async Task Json_follows_the_contract()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTls, UserName = Owner, Password = Password });

        var (exitCode, output, _) = await RunAsync([.. Args(server, "starttls", withCredentials: true), "--json"]);

        exitCode.Should().Be(0);
        using var document = JsonDocument.Parse(output);
        var root = document.RootElement;
        root.GetProperty("healthy").GetBoolean().Should().BeTrue();
        var findings = root.GetProperty("findings").EnumerateArray().ToList();
        findings.Select(f => f.GetProperty("check").GetString()).Should().Equal(Enum.GetNames<DiagnosticCheck>());
        foreach (var finding in findings)
        {
            finding.GetProperty("status").GetString().Should().BeOneOf(Enum.GetNames<DiagnosticStatus>());
            finding.GetProperty("failureKind").ValueKind.Should().Be(JsonValueKind.Null);
            finding.TryGetProperty("reply", out _).Should().BeTrue();
            finding.TryGetProperty("advice", out _).Should().BeTrue();
        }

        findings.Single(f => f.GetProperty("check").GetString() == "Password").GetProperty("reply").GetString().Should().StartWith("235");
    }

    [Theory]
    [MemberData(nameof(ScriptedFailures))]
    public async Task Each_scripted_failure_exits_1_with_its_kind_and_advice(string name, ScriptedServerSecurity security, string flag, string stage, string reply, string check, string kind, string advice)
    {
        var server = await StartAsync(new() { Security = security });
        var scriptedStage = Enum.Parse<SmtpStage>(stage);
        var scripted = SmtpReply.Parse(reply);
        server.Script = context => context.Stage == scriptedStage ? scripted : null;
        var withCredentials = flag != "none";

        var (exitCode, output, _) = await RunAsync([.. Args(server, flag, withCredentials), "--json"]);

        exitCode.Should().Be(1, name);
        var finding = Finding(output, check);
        finding.GetProperty("status").GetString().Should().Be("Fail", name);
        finding.GetProperty("failureKind").GetString().Should().Be(kind, name);
        finding.GetProperty("reply").GetString().Should().StartWith(reply[..3], name);
        finding.GetProperty("advice").GetString().Should().Contain(advice, name);
    }

    public static TheoryData<string, ScriptedServerSecurity, string, string, string, string, string, string> ScriptedFailures() => new()
    {
        { "wrong password", ScriptedServerSecurity.StartTls, "starttls", "Authenticate", ProviderReplies.Gmail.BadCredentials.ToString(), "Password", "AuthenticationFailed", "app password" },
        { "app password required", ScriptedServerSecurity.StartTls, "starttls", "Authenticate", ProviderReplies.Gmail.ApplicationSpecificPasswordRequired.ToString(), "ProviderRequirements", "ProviderRequirementsChanged", "app password" },
        { "SMTP AUTH disabled", ScriptedServerSecurity.StartTls, "starttls", "Authenticate", ProviderReplies.Microsoft365.SmtpClientAuthenticationDisabled.ToString(), "ProviderRequirements", "ProviderRequirementsChanged", "Authenticated SMTP" },
        { "STARTTLS required", ScriptedServerSecurity.StartTlsRequired, "none", "MailFrom", ProviderReplies.Gmail.StartTlsRequired.ToString(), "ProviderRequirements", "ProviderRequirementsChanged", "set Security to STARTTLS" },
        { "sender not allowed", ScriptedServerSecurity.StartTls, "starttls", "MailFrom", "550 5.7.60 SMTP; Client does not have permissions to send as this sender", "Settings", "Misconfigured", "From address" },
        { "quota at MAIL FROM", ScriptedServerSecurity.StartTls, "starttls", "MailFrom", ProviderReplies.Gmail.DailyLimitExceeded.ToString(), "SendLimits", "SendLimitReached", "daily sending limit" },
        { "421 at greeting", ScriptedServerSecurity.StartTls, "starttls", "Greeting", "421 4.3.2 Service not available, closing transmission channel", "AccountWorking", "Transient", "temporary problem" },
    };

    [Fact]
    public async Task A_wrong_password_costs_one_sign_in_attempt()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTls, UserName = Owner, Password = "the-real-one" });

        var (exitCode, output, _) = await RunAsync(Args(server, "starttls", withCredentials: true));

        exitCode.Should().Be(1);
        output.Should().Contain("FAIL         Is your email password correct?");
        output.Should().Contain("Verdict: PROBLEM FOUND: Is your email password correct? (AuthenticationFailed)");
        server.AuthenticationsFailed.Should().Be(1);
    }

    [Fact]
    public async Task A_closed_port_exits_1_as_wrong_settings()
    {
        var (exitCode, output, _) = await RunAsync("diagnose", "--host", "127.0.0.1", "--port", ClosedPort(), "--from", Owner, "--timeout", "2", "--json");

        exitCode.Should().Be(1);
        var settings = Finding(output, "Settings");
        settings.GetProperty("failureKind").GetString().Should().Be("Misconfigured");
        settings.GetProperty("advice").GetString().Should().Contain("check the port");
    }

    [Fact]
    public async Task An_unknown_host_exits_1_as_wrong_settings()
    {
        var (exitCode, output, _) = await RunAsync("diagnose", "--host", "smtp.petsitter-diagnose.invalid", "--port", "587", "--timeout", "5", "--json");

        exitCode.Should().Be(1);
        var settings = Finding(output, "Settings");
        settings.GetProperty("failureKind").GetString().Should().Be("Misconfigured");
        settings.GetProperty("advice").GetString().Should().Contain("server name could not be found");
    }

    [Fact]
    public async Task Implicit_tls_against_a_plain_server_suggests_starttls()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTls });

        var (exitCode, output, _) = await RunAsync(Args(server, "ssl", withCredentials: true, timeout: "3"));

        exitCode.Should().Be(1);
        output.Should().Contain("FAIL         Are your SMTP Configuration settings correct?");
        output.Should().Contain($"Suggested security for port {server.Port}: STARTTLS (--security starttls).");
    }

    [Fact]
    public async Task Starttls_against_an_implicit_tls_server_suggests_ssl()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.ImplicitTls });

        var (exitCode, output, _) = await RunAsync([.. Args(server, "starttls", withCredentials: true, timeout: "0.4"), "--json"]);

        exitCode.Should().Be(1);
        Finding(output, "Settings").GetProperty("advice").GetString().Should().Contain("set Security to SSL/TLS");
        using var document = JsonDocument.Parse(output);
        document.RootElement.GetProperty("suggestedSecurity").GetString().Should().Be("ImplicitTls");
    }

    [Fact]
    public async Task An_untrusted_certificate_fails_and_ca_file_trusts_a_private_authority()
    {
        using var stranger = TestCertificateAuthority.Create("Stranger CA");
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTls, CertificateAuthority = stranger });

        var (untrustedExit, untrusted, _) = await RunAsync([.. Args(server, "starttls", withCredentials: true, caFile: false), "--json"]);
        var strangerPem = Path.Combine(Path.GetTempPath(), $"petsitter-diagnose-stranger-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(strangerPem, stranger.Certificate.ExportCertificatePem());
        try
        {
            var (trustedExit, _, trustedError) = await RunAsync([.. Args(server, "starttls", withCredentials: true, caFile: false), "--ca-file", strangerPem]);

            untrustedExit.Should().Be(1);
            var settings = Finding(untrusted, "Settings");
            settings.GetProperty("failureKind").GetString().Should().Be("Misconfigured");
            settings.GetProperty("summary").GetString().Should().Contain("certificate is not trusted");
            trustedExit.Should().Be(0, trustedError);
        }
        finally
        {
            File.Delete(strangerPem);
        }
    }

    [Fact]
    public async Task A_server_that_drops_the_connection_after_ehlo_exits_1()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTls });
        server.Script = context => context.Stage == SmtpStage.Authenticate ? SmtpReply.Disconnect : null;

        var (exitCode, output, _) = await RunAsync([.. Args(server, "starttls", withCredentials: true), "--json"]);

        exitCode.Should().Be(1);
        var account = Finding(output, "AccountWorking");
        account.GetProperty("failureKind").GetString().Should().Be("Transient");
        account.GetProperty("advice").GetString().Should().Contain("dropped");
    }

    [Fact]
    public async Task Send_test_delivers_one_message_and_answers_the_spam_question()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTls });

        var (exitCode, output, _) = await RunAsync([.. Args(server, "starttls", withCredentials: true), "--send-test", "me@paws.example", "--json"]);

        exitCode.Should().Be(0);
        Finding(output, "SpamReputation").GetProperty("status").GetString().Should().Be("Pass");
        (await server.WaitForMessagesAsync(1)).Single().Recipients.Should().Equal("me@paws.example");
    }

    [Fact]
    public async Task Demo_shows_a_healthy_and_a_failing_account_side_by_side()
    {
        var (exitCode, output, error) = await RunAsync("diagnose", "--demo");

        exitCode.Should().Be(0, error);
        var row = output.Split('\n').Single(l => l.StartsWith("Is your email password correct?", StringComparison.Ordinal));
        row.Should().MatchRegex(@"PASS\s+FAIL AuthenticationFailed");
        output.Split('\n').Single(l => l.StartsWith("Verdict ", StringComparison.Ordinal)).Should().MatchRegex(@"HEALTHY\s+PROBLEM FOUND");
    }

    [Fact]
    public async Task Demo_json_has_one_report_per_account()
    {
        var (exitCode, output, _) = await RunAsync("diagnose", "--demo", "--json");

        exitCode.Should().Be(0);
        using var document = JsonDocument.Parse(output);
        var accounts = document.RootElement.GetProperty("accounts").EnumerateArray().ToList();
        accounts.Select(a => a.GetProperty("report").GetProperty("healthy").GetBoolean()).Should().Equal(true, false);
    }

    [Theory]
    [InlineData("diagnose", "--port", "587")]
    [InlineData("diagnose", "--host", "smtp.example.com")]
    [InlineData("diagnose", "--host", "smtp.example.com", "--port", "abc")]
    [InlineData("diagnose", "--host", "smtp.example.com", "--port", "587", "--security", "tls13")]
    [InlineData("diagnose", "--host", "smtp.example.com", "--port", "587", "--password", "hunter2")]
    [InlineData("diagnose", "--host", "smtp.example.com", "--port", "70000")]
    [InlineData("diagnose", "--host", "smtp.example.com", "--port", "587", "--from", "not an address")]
    [InlineData("diagnose", "--host", "smtp.example.com", "--port", "587", "--from", Owner, "--send-test", "nobody")]
    [InlineData("diagnose", "--host", "smtp.example.com", "--port", "587", "--send-test", "me@paws.example")]
    [InlineData("diagnose", "--host", "smtp.example.com", "--port", "587", "--username", Owner)]
    [InlineData("diagnose", "--host", "smtp.example.com", "--port", "587", "--password-env", "PETSITTER_UNSET_VARIABLE")]
    [InlineData("diagnose", "--host", "smtp.example.com", "--port", "587", "--username", Owner, "--password-env", "PETSITTER_DIAGNOSE_SURELY_UNSET")]
    [InlineData("diagnose", "--host", "smtp.example.com", "--port", "587", "--ca-file", "/nonexistent/ca.pem")]
    [InlineData("diagnose", "--host", "smtp.example.com", "--port", "587", "--timeout", "0")]
    [InlineData("diagnose", "--demo", "--host", "smtp.example.com")]
    public async Task Bad_arguments_exit_2_without_connecting(params string[] args)
    {
        var (exitCode, _, error) = await RunAsync(args);

        exitCode.Should().Be(2);
        error.Should().NotBeEmpty();
    }

    [Fact]
    public async Task A_ca_file_without_certificates_is_a_usage_error()
    {
        var empty = Path.Combine(Path.GetTempPath(), $"petsitter-diagnose-empty-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(empty, "not a certificate");
        try
        {
            var (exitCode, _, error) = await RunAsync("diagnose", "--host", "127.0.0.1", "--port", "25", "--ca-file", empty);

            exitCode.Should().Be(2);
            error.Should().Contain("no PEM certificate");
        }
        finally
        {
            File.Delete(empty);
        }
    }

    [Fact]
    public async Task Without_a_terminal_a_user_name_needs_password_env()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTls });

        var (exitCode, _, error) = await RunAsync("diagnose", "--host", server.Host, "--port", Port(server), "--username", Owner);

        exitCode.Should().Be(2);
        error.Should().Contain("--password-env");
        server.ConnectionsOpened.Should().Be(0);
    }

    public async ValueTask DisposeAsync()
    {
        Environment.SetEnvironmentVariable(_passwordVariable, null);
        File.Delete(_caFile);
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }
    }

    // Microsoft 365's wrong-password reply (shared/providers.md): its advice is Microsoft's only when the
    // provider is known, and a host of the owner's own (here the loopback address) does not say.
    private static readonly SmtpReply MicrosoftBadPassword = SmtpReply.Parse("535 5.7.3 Authentication unsuccessful");

    [Fact]
    public async Task Provider_names_the_provider_whose_rules_read_the_replies_when_the_host_does_not_say()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTls });
        server.Script = context => context.Stage == SmtpStage.Authenticate ? MicrosoftBadPassword : null;

        var (plainExit, plainOutput, _) = await RunAsync([.. Args(server, "starttls", withCredentials: true), "--json"]);
        var (exitCode, output, error) = await RunAsync([.. Args(server, "starttls", withCredentials: true), "--provider", "microsoft365", "--json"]);

        plainExit.Should().Be(1);
        Finding(plainOutput, "Password").GetProperty("advice").GetString().Should().NotContain("Microsoft");
        using (var plain = JsonDocument.Parse(plainOutput))
        {
            plain.RootElement.GetProperty("provider").ValueKind.Should().Be(JsonValueKind.Null);
        }

        exitCode.Should().Be(1, error);
        var password = Finding(output, "Password");
        password.GetProperty("failureKind").GetString().Should().Be("AuthenticationFailed");
        password.GetProperty("advice").GetString().Should().StartWith("Microsoft did not accept your password");
        using var document = JsonDocument.Parse(output);
        document.RootElement.GetProperty("provider").GetString().Should().Be("Microsoft 365");
        document.RootElement.GetProperty("providerBecause").GetString().Should().Contain("microsoft365");
        Finding(output, "ProviderRequirements").GetProperty("summary").GetString().Should().Contain("Microsoft 365 requires SMTP AUTH");
    }

    [Fact]
    public async Task Without_provider_the_servers_own_name_in_its_greeting_identifies_it()
    {
        // Exchange Online's servers name themselves under outlook.office365.com, as in the greeting
        // "220 xx.outlook.office365.com Microsoft ESMTP MAIL Service ready at ..." quoted in
        // https://github.com/simonrob/email-oauth2-proxy/issues/232.
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTls, ServerName = "BN8PR03CA0027.outlook.office365.com" });
        server.Script = context => context.Stage == SmtpStage.Authenticate ? MicrosoftBadPassword : null;

        var (exitCode, output, _) = await RunAsync([.. Args(server, "starttls", withCredentials: true)]);

        exitCode.Should().Be(1);
        output.Should().Contain("SMTP diagnosis of 127.0.0.1:").And.Contain(", Microsoft 365");
        output.Should().Contain("provider Microsoft 365: the server introduced itself as \"220 BN8PR03CA0027.outlook.office365.com");
        output.Should().Contain("Microsoft did not accept your password");
    }

    [Fact]
    public async Task An_unknown_provider_name_is_a_usage_error_listing_the_known_ones()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTls });

        var (exitCode, _, error) = await RunAsync([.. Args(server, "starttls", withCredentials: true), "--provider", "hotmale"]);

        exitCode.Should().Be(2);
        error.Should().Contain("--provider 'hotmale' is not a known provider").And.Contain("Microsoft 365").And.Contain("Google Workspace");
        server.ConnectionsOpened.Should().Be(0);
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await CliApp.RunAsync(args, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }

    private async Task<ScriptedSmtpServer> StartAsync(ScriptedSmtpServerOptions options)
    {
        var server = await ScriptedSmtpServer.StartAsync(options);
        _servers.Add(server);
        return server;
    }

    private string[] Args(ScriptedSmtpServer server, string security, bool withCredentials, bool caFile = true, string timeout = "5")
    {
        List<string> args = ["diagnose", "--host", server.Host, "--port", Port(server), "--security", security, "--from", Owner, "--timeout", timeout];
        if (withCredentials)
        {
            args.AddRange(["--username", Owner, "--password-env", _passwordVariable]);
        }

        if (caFile)
        {
            args.AddRange(["--ca-file", _caFile]);
        }

        return [.. args];
    }

    private static JsonElement Finding(string json, string check)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("check").GetString() == check).Clone();
    }

    private static string Port(ScriptedSmtpServer server) => server.Port.ToString(CultureInfo.InvariantCulture);

    private static string ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port.ToString(CultureInfo.InvariantCulture);
    }
}
