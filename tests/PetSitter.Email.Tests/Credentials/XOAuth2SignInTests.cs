using Microsoft.Extensions.Options;
using PetSitter.Email.Testing;
using PetSitter.Email.Tests.Support;

namespace PetSitter.Email.Tests.Credentials;

/// <summary>The MailKit transport signing in with OAuth2 access tokens (XOAUTH2) against the scripted server.</summary>
public sealed class XOAuth2SignInTests : IAsyncDisposable
{
    private const string User = "owner@paws.example";
    private const string Fresh = "ya29.fresh-token-4f1c";
    private const string Stale = "ya29.stale-token-9a0b";

    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(20));
    private readonly List<IAsyncDisposable> _disposables = [];

    private CancellationToken Token => _timeout.Token;

    public static TheoryData<string> Flavours => ["Gmail", "Microsoft 365"];

    [Fact]
    public async Task A_valid_token_signs_in_with_XOAUTH2_and_the_message_is_sent()
    {
        var server = await StartAsync("Gmail");
        var provider = new RecordingTokenProvider(_ => Fresh);

        await Transport().SendAsync(server.CreateOAuthAccountSettings(provider, User), MailKitSmtpTransportTestsMessage("Hello"), Token);

        var received = (await server.WaitForMessagesAsync(1, Token)).Single();
        received.UserName.Should().Be(User);
        received.WasSecure.Should().BeTrue();
        server.AuthenticationsSucceeded.Should().Be(1);
        server.AuthenticationsFailed.Should().Be(0);
        server.AccessTokensReceived.Should().Equal(Fresh);
        provider.Requests.Should().ContainSingle().Which.ForceRefresh.Should().BeFalse();
        provider.Requests[0].UserName.Should().Be(User);
        provider.Requests[0].Host.Should().Be(server.Host);
    }

    [Theory]
    [MemberData(nameof(Flavours))]
    public async Task An_expired_token_is_refreshed_once_and_the_same_send_goes_out_on_the_same_connection(string flavour)
    {
        var server = await StartAsync(flavour);
        var provider = RecordingTokenProvider.StaleThenFresh(Stale, Fresh);

        await Transport().SendAsync(server.CreateOAuthAccountSettings(provider, User), MailKitSmtpTransportTestsMessage("Refreshed"), Token);

        (await server.WaitForMessagesAsync(1, Token)).Should().ContainSingle();
        server.AuthenticationsFailed.Should().Be(1);
        server.AuthenticationsSucceeded.Should().Be(1, "exactly two AUTH commands: the stale token, then the fresh one");
        server.AccessTokensReceived.Should().Equal(Stale, Fresh);
        server.ConnectionsOpened.Should().Be(1, "the refreshed token signs in on the connection that refused the stale one");
        provider.Requests.Select(r => r.ForceRefresh).Should().Equal(false, true);
    }

    [Theory]
    [MemberData(nameof(Flavours))]
    public async Task A_refreshed_token_the_server_also_refuses_fails_as_expired_credentials_with_advice_to_reconnect(string flavour)
    {
        var server = await StartAsync(flavour);
        var provider = new RecordingTokenProvider(request => request.ForceRefresh ? "ya29.also-revoked" : Stale);
        var account = server.CreateOAuthAccountSettings(provider, User);

        var failure = await FluentActions.Awaiting(() => Transport().SendAsync(account, MailKitSmtpTransportTestsMessage("Refused"), Token))
            .Should().ThrowAsync<SmtpTransportException>();

        failure.Which.Stage.Should().Be(SmtpStage.Authenticate);
        failure.Which.StatusCode.Should().Be(535);
        var classified = SmtpFailureClassifier.Classify(failure.Which, account.Host);
        classified.Kind.Should().Be(SmtpFailureKind.CredentialsExpired);
        classified.IsAccountLevel.Should().BeTrue();
        classified.IsTransient.Should().BeFalse();
        classified.RuleName.Should().Be("access-token-expired");
        classified.Advice.Should().Contain("reconnect your email account");
        server.AuthenticationsFailed.Should().Be(2, "one refresh, not a loop");
        server.AuthenticationsSucceeded.Should().Be(0);
        server.Messages.Should().BeEmpty();
        provider.Requests.Select(r => r.ForceRefresh).Should().Equal(false, true);
    }

    [Fact]
    public async Task A_provider_that_cannot_refresh_fails_as_expired_credentials_after_one_AUTH()
    {
        var server = await StartAsync("Gmail");
        var provider = new RecordingTokenProvider(request => request.ForceRefresh
            ? throw new InvalidOperationException("invalid_grant: Token has been expired or revoked.")
            : Stale);
        var account = server.CreateOAuthAccountSettings(provider, User);

        var failure = await FluentActions.Awaiting(() => Transport().SendAsync(account, MailKitSmtpTransportTestsMessage("No refresh"), Token))
            .Should().ThrowAsync<SmtpTransportException>();

        failure.Which.Stage.Should().Be(SmtpStage.Authenticate);
        failure.Which.Reply.Should().Contain("InvalidOperationException").And.NotContain("invalid_grant", "the app's exception is kept as the inner exception, not quoted");
        failure.Which.InnerException!.InnerException.Should().BeOfType<InvalidOperationException>();
        SmtpFailureClassifier.Classify(failure.Which, account.Host).Kind.Should().Be(SmtpFailureKind.CredentialsExpired);
        server.AuthenticationsFailed.Should().Be(1);
        server.AuthenticationsSucceeded.Should().Be(0);
    }

    [Theory]
    [InlineData("throws")]
    [InlineData("")]
    [InlineData("two words")]
    public async Task No_usable_token_at_all_fails_as_expired_credentials_before_any_AUTH(string answer)
    {
        var server = await StartAsync("Gmail");
        var provider = new RecordingTokenProvider(_ => answer == "throws" ? throw new HttpRequestException("token endpoint down") : answer);
        var account = server.CreateOAuthAccountSettings(provider, User);

        var failure = await FluentActions.Awaiting(() => Transport().SendAsync(account, MailKitSmtpTransportTestsMessage("None"), Token))
            .Should().ThrowAsync<SmtpTransportException>();

        SmtpFailureClassifier.Classify(failure.Which, account.Host).Kind.Should().Be(SmtpFailureKind.CredentialsExpired);
        server.AuthenticationsFailed.Should().Be(0);
        server.AuthenticationsSucceeded.Should().Be(0);
        provider.Requests.Should().ContainSingle("the provider is not asked to refresh what it could not supply");
    }

    [Fact]
    public async Task A_temporary_refusal_is_not_taken_for_an_expired_token()
    {
        var server = await StartAsync("Microsoft 365");
        server.Script = context => context.Stage == SmtpStage.Authenticate ? new SmtpReply(454, "4.7.0 Temporary authentication failure") : null;
        var provider = new RecordingTokenProvider(_ => Fresh);
        var account = server.CreateOAuthAccountSettings(provider, User);

        var failure = await FluentActions.Awaiting(() => Transport().SendAsync(account, MailKitSmtpTransportTestsMessage("Later"), Token))
            .Should().ThrowAsync<SmtpTransportException>();

        SmtpFailureClassifier.Classify(failure.Which, account.Host).Kind.Should().NotBe(SmtpFailureKind.CredentialsExpired);
        server.AuthenticationsFailed.Should().Be(1, "a 4xx is the server's problem: refreshing the token would not help");
        provider.Requests.Should().ContainSingle();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var disposable in _disposables)
        {
            await disposable.DisposeAsync();
        }

        _timeout.Dispose();
    }

    internal static MimeKit.MimeMessage MailKitSmtpTransportTestsMessage(string subject) => PetSitter.Email.Tests.Smtp.MailKitSmtpTransportTests.Simple(subject);

    private async Task<ScriptedSmtpServer> StartAsync(string flavour)
    {
        var server = await ScriptedSmtpServer.StartAsync(
            new()
            {
                Security = ScriptedServerSecurity.ImplicitTls,
                ServerName = flavour == "Gmail" ? "smtp.gmail.test" : "smtp.office365.test",
                UserName = User,
                AccessToken = Fresh,
                AccessTokenRejectedReply = flavour == "Gmail" ? ProviderReplies.Gmail.AccessTokenRejected : ProviderReplies.Microsoft365.AccessTokenRejected,
            },
            Token);
        _disposables.Add(server);
        return server;
    }

    private MailKitSmtpTransport Transport()
    {
        var transport = new MailKitSmtpTransport(
            Options.Create(new SmtpTransportOptions { Timeout = TimeSpan.FromSeconds(10) }),
            TimeProvider.System,
            TestLogging.For<MailKitSmtpTransport>());
        _disposables.Add(transport);
        return transport;
    }
}
