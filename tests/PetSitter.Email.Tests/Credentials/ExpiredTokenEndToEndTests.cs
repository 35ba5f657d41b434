using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using PetSitter.Email.Testing;
using PetSitter.Email.Tests.EndToEnd;

namespace PetSitter.Email.Tests.Credentials;

/// <summary>An OAuth2 account whose sign-in expired, through the whole library: breaker, fallback, recovery, secrecy.</summary>
public sealed class ExpiredTokenEndToEndTests
{
    private const string User = "paws@gmail.test";
    private const string Stale = "ya29.a0AfH6-stale-3c1d";
    private const string Fresh = "ya29.a0AfH6-fresh-77e2";

    [Fact]
    public async Task An_expired_grant_costs_one_refresh_then_the_breaker_holds_until_the_owner_reconnects()
    {
        await using var gmail = await ScriptedSmtpServer.StartAsync(new()
        {
            Security = ScriptedServerSecurity.ImplicitTls,
            ServerName = "smtp.gmail.test",
            UserName = User,
            AccessToken = Fresh,
            AccessTokenRejectedReply = ProviderReplies.Gmail.AccessTokenRejected,
        });
        var logs = new FakeLogCollector();
        await using var host = new EndToEndHost(builder => builder.Services.Replace(ServiceDescriptor.Singleton(
            LoggerFactory.Create(logging => logging.AddProvider(new FakeLoggerProvider(logs)).SetMinimumLevel(LogLevel.Trace)))));
        var revoked = true;
        var provider = new RecordingTokenProvider(request => !revoked ? Fresh : request.ForceRefresh
            ? throw new InvalidOperationException($"invalid_grant for refresh token 1//0g-{Stale}")
            : Stale);
        host.Settings.Set(EndToEndHost.Business("paws", gmail.CreateOAuthAccountSettings(provider, User, grantId: "connected 2026-01-05")));

        var first = await host.SendAsync("paws", EmailCategory.Invoice, 0);

        first.FailureKind.Should().Be(SmtpFailureKind.CredentialsExpired, first.ToString());
        first.SmtpFailure!.Advice.Should().Contain("reconnect your email account");
        first.Channel.Should().Be(EmailChannel.Native, "an invoice goes out natively while the owner's account cannot sign in");
        gmail.AuthenticationsFailed.Should().Be(1);
        provider.Requests.Select(r => r.ForceRefresh).Should().Equal(false, true);

        var later = new List<SendOutcome>();
        foreach (var (category, number) in new[] { (EmailCategory.Quote, 1), (EmailCategory.Marketing, 2), (EmailCategory.General, 3), (EmailCategory.Invoice, 4) })
        {
            later.Add(await host.SendAsync("paws", category, number));
        }

        later.Should().OnlyContain(o => o.FailureKind == SmtpFailureKind.CredentialsExpired);
        later.Single(o => o.Category == EmailCategory.Marketing).Status.Should().Be(SendStatus.Deferred);
        gmail.AuthenticationsFailed.Should().Be(1, "the breaker holds the account: no AUTH per message");
        provider.Requests.Should().HaveCount(2, "nor a token request per message");
        var health = host.Health.GetHealth("paws");
        health.State.Should().Be(AccountHealthState.Failing);
        health.Kind.Should().Be(SmtpFailureKind.CredentialsExpired);

        // The owner reconnects the account in the app: a new grant, and the provider has tokens again.
        revoked = false;
        host.Settings.Set(EndToEndHost.Business("paws", gmail.CreateOAuthAccountSettings(provider, User, grantId: "connected 2026-11-27")));
        var reconnected = await host.SendAsync("paws", EmailCategory.Invoice, 5);

        reconnected.Status.Should().Be(SendStatus.Sent);
        reconnected.Channel.Should().Be(EmailChannel.Smtp);
        reconnected.FailureKind.Should().BeNull();
        gmail.AuthenticationsSucceeded.Should().Be(1);
        gmail.AccessTokensReceived.Should().Equal(Stale, Fresh);
        gmail.Messages.Should().ContainSingle().Which.Message.MessageId.Should().Be(EndToEndHost.MessageId(5));
        host.Health.GetHealth("paws").IsHealthy.Should().BeTrue();

        // Tokens appear nowhere the app could show or log.
        var shown = logs.GetSnapshot().Select(r => $"{r.Message} {r.Exception}")
            .Concat(later.Append(first).Append(reconnected).Select(o => $"{o} {o.SmtpFailure} {o.SmtpFailure?.Reply} {o.Reason}"))
            .Append(health.ToString())
            .Append(host.Settings.Get("paws").ToString())
            .Append(host.Settings.Get("paws").Smtp!.ToString())
            .Append(string.Join(' ', provider.Requests.Select(r => r.ToString())));
        shown.Should().NotContain(text => text.Contains(Stale, StringComparison.Ordinal) || text.Contains(Fresh, StringComparison.Ordinal));
        logs.GetSnapshot().Should().NotBeEmpty("the library did log the failure and the recovery, only without tokens");
    }
}
