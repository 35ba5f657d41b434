using System.Text;
using PetSitter.Email.Testing;
using PetSitter.Email.Tests.Secrets;
using PetSitter.Email.Tests.Support;

namespace PetSitter.Email.Tests.Credentials;

/// <summary>The diagnostics' sign-in step takes the same credential path as sending: XOAUTH2 with one refresh.</summary>
public sealed class XOAuth2DiagnosticsTests : IAsyncDisposable
{
    private const string User = "owner@paws.example";
    private const string Fresh = "ya29.diagnose-fresh";
    private const string Stale = "ya29.diagnose-stale";

    private readonly List<ScriptedSmtpServer> _servers = [];
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(30));

    [Fact]
    public async Task An_OAuth2_account_signs_in_with_XOAUTH2_after_one_refresh()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTlsRequired, UserName = User, AccessToken = Fresh, AccessTokenRejectedReply = ProviderReplies.Gmail.AccessTokenRejected });
        var provider = RecordingTokenProvider.StaleThenFresh(Stale, Fresh);

        var report = await DiagnoseAsync(server.CreateOAuthAccountSettings(provider, User));

        report[DiagnosticCheck.Password].Status.Should().Be(DiagnosticStatus.Pass, string.Join("\n", report.Findings));
        report[DiagnosticCheck.Password].Summary.Should().Contain("AUTH XOAUTH2");
        report.IsHealthy.Should().BeTrue(string.Join("\n", report.Findings));
        server.AccessTokensReceived.Should().Equal(Stale, Fresh);
        ShouldShowNoToken(report);
    }

    [Fact]
    public async Task A_token_refused_after_a_refresh_is_reported_as_expired_sign_in()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTls, UserName = User, AccessToken = Fresh, AccessTokenRejectedReply = ProviderReplies.Microsoft365.AccessTokenRejected });
        var provider = new RecordingTokenProvider(_ => Stale);

        var report = await DiagnoseAsync(server.CreateOAuthAccountSettings(provider, User));

        var signIn = report[DiagnosticCheck.Password];
        signIn.Status.Should().Be(DiagnosticStatus.Fail, string.Join("\n", report.Findings));
        signIn.FailureKind.Should().Be(SmtpFailureKind.CredentialsExpired);
        signIn.Summary.Should().Contain("OAuth2 access token").And.Contain("AUTH XOAUTH2");
        signIn.Advice.Should().Contain("reconnect your email account");
        server.AuthenticationsFailed.Should().Be(2);
        ShouldShowNoToken(report);
    }

    [Fact]
    public async Task A_server_without_XOAUTH2_is_reported_without_trying_a_token()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTls, UserName = User, Password = TestSecrets.TransportPassword });
        var provider = new RecordingTokenProvider(_ => Fresh);

        var report = await DiagnoseAsync(server.CreateOAuthAccountSettings(provider, User));

        report.IsHealthy.Should().BeFalse();
        report.Findings.Should().Contain(f => f.Status == DiagnosticStatus.Fail && f.Summary.Contains("does not offer OAuth2 (XOAUTH2)", StringComparison.Ordinal));
        provider.Requests.Should().BeEmpty();
        server.AuthenticationsFailed.Should().Be(0);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }

        _timeout.Dispose();
    }

    private static void ShouldShowNoToken(DiagnosticReport report)
    {
        var text = string.Join("\n", report.Findings.SelectMany(f => new[] { f.Summary, f.Reply, f.Advice, f.ToString() }).Concat(report.Steps).Append(report.ToString()));
        foreach (var token in new[] { Stale, Fresh })
        {
            text.Should().NotContain(token);
            text.Should().NotContain(Convert.ToBase64String(Encoding.ASCII.GetBytes($"user={User}\u0001auth=Bearer {token}\u0001\u0001")));
        }
    }

    private async Task<ScriptedSmtpServer> StartAsync(ScriptedSmtpServerOptions options)
    {
        var server = await ScriptedSmtpServer.StartAsync(options, _timeout.Token);
        _servers.Add(server);
        return server;
    }

    private Task<DiagnosticReport> DiagnoseAsync(SmtpAccountSettings account) =>
        new SmtpDiagnostics(TimeProvider.System, TestLogging.For<SmtpDiagnostics>())
            .RunAsync(account, new DiagnosticOptions { StepTimeout = TimeSpan.FromSeconds(5) }, _timeout.Token);
}
