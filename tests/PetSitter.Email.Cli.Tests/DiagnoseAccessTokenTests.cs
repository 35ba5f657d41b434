using System.Globalization;
using System.Text.Json;
using PetSitter.Email.Testing;

namespace PetSitter.Email.Cli.Tests;

/// <summary><c>diagnose --access-token-env</c>: an OAuth2 account checked with a ready token, and the Microsoft 365 migration.</summary>
public sealed class DiagnoseAccessTokenTests : IAsyncDisposable
{
    private const string Owner = "owner@contoso.example";
    private const string Token = "ya29.diagnose-cli-token-5e1f";

    // Microsoft's own wording: the Exchange Team's announcement of the Basic-auth retirement
    // (https://techcommunity.microsoft.com/blog/exchange/exchange-online-to-retire-basic-auth-for-client-submission-smtp-auth/4114750)
    // and the reply of a tenant with SMTP AUTH turned off (shared/providers.md, pointing to https://aka.ms/smtp_auth_disabled).
    private static readonly SmtpReply BasicAuthRetired = SmtpReply.Parse("550 5.7.30 Basic authentication is not supported for Client Submission.");
    private static readonly SmtpReply SmtpAuthDisabled = SmtpReply.Parse("535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.");

    private readonly string _tokenVariable = $"PETSITTER_DIAGNOSE_TOKEN_{Guid.NewGuid():N}";
    private readonly string _passwordVariable = $"PETSITTER_DIAGNOSE_PASSWORD_{Guid.NewGuid():N}";
    private readonly string _caFile = Path.Combine(Path.GetTempPath(), $"petsitter-diagnose-ca-{Guid.NewGuid():N}.pem");
    private readonly List<ScriptedSmtpServer> _servers = [];

    public DiagnoseAccessTokenTests()
    {
        Environment.SetEnvironmentVariable(_tokenVariable, Token);
        Environment.SetEnvironmentVariable(_passwordVariable, "s3cret-Pa55word!");
        File.WriteAllText(_caFile, TestCertificateAuthority.Shared.Certificate.ExportCertificatePem());
    }

    [Fact]
    public async Task A_ready_access_token_signs_in_with_XOAUTH2()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTlsRequired, UserName = Owner, AccessToken = Token });

        var (exitCode, output, error) = await RunAsync(Args(server, "--access-token-env", _tokenVariable));

        exitCode.Should().Be(0, error + output);
        output.Should().Contain("XOAUTH2");
        output.Should().NotContain(Token);
        server.AccessTokensReceived.Should().Equal(Token);
        server.AuthenticationsSucceeded.Should().Be(1);
    }

    [Fact]
    public async Task A_refused_access_token_is_one_failed_sign_in_and_asks_to_reconnect()
    {
        var server = await StartAsync(new()
        {
            Security = ScriptedServerSecurity.StartTlsRequired,
            UserName = Owner,
            AccessToken = "ya29.another-token-entirely",
            AccessTokenRejectedReply = ProviderReplies.Microsoft365.AccessTokenRejected,
        });

        var (exitCode, output, _) = await RunAsync([.. Args(server, "--access-token-env", _tokenVariable), "--json"]);

        exitCode.Should().Be(1);
        output.Should().NotContain(Token);
        var finding = Finding(output, "Password");
        finding.GetProperty("failureKind").GetString().Should().Be(nameof(SmtpFailureKind.CredentialsExpired));
        finding.GetProperty("requiredAction").GetString().Should().Be(nameof(RequiredAction.Reconnect));
        server.AuthenticationsFailed.Should().Be(1, "a ready token cannot be refreshed: no second try");
    }

    [Fact]
    public async Task A_token_without_a_user_name_or_beside_a_password_is_a_usage_error()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTls });

        var withoutUser = await RunAsync("diagnose", "--host", server.Host, "--port", Port(server), "--access-token-env", _tokenVariable);
        var both = await RunAsync([.. Args(server, "--access-token-env", _tokenVariable), "--password-env", _passwordVariable]);
        var unset = await RunAsync(Args(server, "--access-token-env", "PETSITTER_NOT_SET_" + Guid.NewGuid().ToString("N")));

        withoutUser.ExitCode.Should().Be(2);
        withoutUser.Error.Should().Contain("--access-token-env needs --username");
        both.ExitCode.Should().Be(2);
        both.Error.Should().Contain("either --password-env or --access-token-env");
        unset.ExitCode.Should().Be(2);
        unset.Error.Should().Contain("is not set");
        server.ConnectionsOpened.Should().Be(0);
    }

    [Theory]
    [InlineData("Authenticate", "basic-auth retired at AUTH")]
    [InlineData("MailFrom", "basic-auth retired at MAIL FROM")]
    public async Task Microsoft_365s_basic_auth_retirement_reads_ConnectWithOAuth(string stage, string because)
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTlsRequired });
        var scriptedStage = Enum.Parse<SmtpStage>(stage);
        server.Script = context => context.Stage == scriptedStage ? BasicAuthRetired : null;

        var (exitCode, output, _) = await RunAsync([.. Args(server, "--password-env", _passwordVariable), "--provider", "Microsoft 365", "--json"]);

        exitCode.Should().Be(1, because);
        var finding = FindingWithKind(output, nameof(SmtpFailureKind.ProviderRequirementsChanged));
        finding.GetProperty("requiredAction").GetString().Should().Be(nameof(RequiredAction.ConnectWithOAuth), because);
        finding.GetProperty("advice").GetString().Should().Contain("OAuth");
    }

    [Fact]
    public async Task SMTP_AUTH_disabled_for_the_tenant_reads_ConnectWithOAuth_in_the_text_report()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTlsRequired });
        server.Script = context => context.Stage == SmtpStage.Authenticate ? SmtpAuthDisabled : null;

        var (exitCode, output, _) = await RunAsync([.. Args(server, "--password-env", _passwordVariable), "--provider", "Microsoft 365"]);

        exitCode.Should().Be(1);
        output.Should().Contain("(ProviderRequirementsChanged)");
        output.Should().Contain("required action: ConnectWithOAuth");
        output.Should().Contain("connect with Microsoft sign-in (OAuth)");
    }

    public async ValueTask DisposeAsync()
    {
        Environment.SetEnvironmentVariable(_tokenVariable, null);
        Environment.SetEnvironmentVariable(_passwordVariable, null);
        File.Delete(_caFile);
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }
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

    private string[] Args(ScriptedSmtpServer server, string credentialFlag, string variable) =>
        ["diagnose", "--host", server.Host, "--port", Port(server), "--security", "starttls", "--from", Owner, "--timeout", "5",
            "--username", Owner, credentialFlag, variable, "--ca-file", _caFile];

    private static JsonElement Finding(string json, string check)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("check").GetString() == check).Clone();
    }

    private static JsonElement FindingWithKind(string json, string kind)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("findings").EnumerateArray().First(f => f.GetProperty("failureKind").GetString() == kind).Clone();
    }

    private static string Port(ScriptedSmtpServer server) => server.Port.ToString(CultureInfo.InvariantCulture);
}
