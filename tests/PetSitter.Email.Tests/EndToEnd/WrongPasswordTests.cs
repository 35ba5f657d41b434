using System.Collections.Concurrent;
using PetSitter.Email.Testing;

namespace PetSitter.Email.Tests.EndToEnd;

public sealed class WrongPasswordTests
{
    private const string OldPassword = "old-password-2023";
    private const string NewPassword = "new-app-password";
    private const string User = "paws@gmail.test";

    private static readonly EmailCategory[] Categories = Enum.GetValues<EmailCategory>();

    [Fact]
    public async Task Wrong_password_costs_one_auth_attempt_per_credentials_version_within_the_probe_interval()
    {
        await using var gmail = await ScriptedSmtpServer.StartAsync(new() { ServerName = "smtp.gmail.test", UserName = User, Password = NewPassword });
        await using var host = new EndToEndHost();
        host.Settings.Set(EndToEndHost.Business("paws", gmail.CreateAccountSettings(User, password: OldPassword)));

        // The server takes only the new password. While the stored password is the old one, it refuses in Gmail's
        // own words; once the owner saves the new one, a refusal would come in the server's default words and a
        // success proves the new password went over the wire.
        gmail.Script = context => context.Stage == SmtpStage.Authenticate && host.Settings.Get("paws").Smtp!.Password == OldPassword
            ? ProviderReplies.Gmail.BadCredentials
            : null;
        var changes = new ConcurrentQueue<AccountHealthChangedEventArgs>();
        host.Health.HealthChanged += (_, change) => changes.Enqueue(change);

        // Fifty sends arrive at once, as from a billing run: none has failed yet when they start.
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 50).Select(n => host.SendAsync("paws", Categories[n % Categories.Length], n)));

        outcomes.Select(o => o.MessageId).Should().Equal(Enumerable.Range(0, 50).Select(EndToEndHost.MessageId), "every outcome carries its message's own Message-ID");
        gmail.AuthenticationsFailed.Should().Be(1, "one wrong password opens the account's breaker: nothing else tries to sign in");
        gmail.AuthenticationsSucceeded.Should().Be(0);
        gmail.Messages.Should().BeEmpty();
        ShouldHaveFallenBack(outcomes, host);
        (await host.Queue.CountAsync(CancellationToken.None)).Should().Be(outcomes.Count(o => o.Category == EmailCategory.Marketing));

        var probeInterval = host.Options<AccountHealthOptions>().CredentialProbeInterval;
        var failing = host.Health.GetHealth("paws");
        failing.State.Should().Be(AccountHealthState.Failing);
        failing.Kind.Should().Be(SmtpFailureKind.AuthenticationFailed);
        failing.Until.Should().Be(EndToEndHost.Start + probeInterval);

        // Just before the probe is due nothing changes; just after, exactly one send probes the old password.
        host.Time.Advance(probeInterval - TimeSpan.FromSeconds(1));
        ShouldHaveFallenBack([await host.SendAsync("paws", EmailCategory.Quote, 50)], host);
        gmail.AuthenticationsFailed.Should().Be(1);

        host.Time.Advance(TimeSpan.FromSeconds(2));
        var probed = new List<SendOutcome>();
        for (var n = 51; n < 63; n++)
        {
            probed.Add(await host.SendAsync("paws", Categories[n % Categories.Length], n));
        }

        gmail.AuthenticationsFailed.Should().Be(2, "the probe interval allows one more sign-in with the same credentials, not one per message");
        gmail.Messages.Should().BeEmpty();
        ShouldHaveFallenBack(probed, host);

        // The owner saves the right password: the very next send signs in, without waiting for the next probe.
        host.Settings.Set(EndToEndHost.Business("paws", gmail.CreateAccountSettings(User, password: NewPassword)));
        var fixedOutcome = await host.SendAsync("paws", EmailCategory.Invoice, 63);

        fixedOutcome.Status.Should().Be(SendStatus.Sent);
        fixedOutcome.Channel.Should().Be(EmailChannel.Smtp);
        fixedOutcome.IsFallback.Should().BeFalse();
        fixedOutcome.FailureKind.Should().BeNull();
        gmail.AuthenticationsSucceeded.Should().Be(1);
        gmail.AuthenticationsFailed.Should().Be(2);
        gmail.Messages.Should().ContainSingle().Which.Message.MessageId.Should().Be(EndToEndHost.MessageId(63));
        host.Health.GetHealth("paws").IsHealthy.Should().BeTrue();

        changes.Should().HaveCount(2, "the failed probe changed neither the state nor the kind");
        var broke = changes.First();
        broke.Previous.IsHealthy.Should().BeTrue();
        broke.State.Should().Be(AccountHealthState.Failing);
        broke.Kind.Should().Be(SmtpFailureKind.AuthenticationFailed);
        broke.Advice.Should().ContainEquivalentOf("password").And.Contain("Custom SMTP Configuration");
        broke.ChangedAt.Should().Be(EndToEndHost.Start);
        var healed = changes.Last();
        healed.Previous.Kind.Should().Be(SmtpFailureKind.AuthenticationFailed);
        healed.State.Should().Be(AccountHealthState.Healthy);
        healed.Advice.Should().BeNull();
    }

    [Fact]
    public async Task A_burst_for_a_healthy_account_signs_in_once_then_uses_its_connections()
    {
        await using var gmail = await ScriptedSmtpServer.StartAsync(new() { ServerName = "smtp.gmail.test", UserName = User, Password = NewPassword });
        await using var host = new EndToEndHost();
        host.Settings.Set(EndToEndHost.Business("paws", gmail.CreateAccountSettings(User, password: NewPassword)));
        var cap = host.Options<PetSitterEmailOptions>().Smtp.MaxConnectionsPerAccount;

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 50).Select(n => host.SendAsync("paws", Categories[n % Categories.Length], n)));

        outcomes.Should().OnlyContain(o => o.Status == SendStatus.Sent && o.Channel == EmailChannel.Smtp && !o.IsFallback);
        gmail.Messages.Should().HaveCount(50);
        gmail.AuthenticationsFailed.Should().Be(0);
        gmail.AuthenticationsSucceeded.Should().BeInRange(1, cap, "each connection signs in once and is reused");
        gmail.PeakOpenConnections.Should().BeLessThanOrEqualTo(cap);
        host.Native.SendAttempts.Should().Be(0);
    }

    /// <summary>Documents and general mail went native with their own Message-ID and the business as Reply-To; marketing waits.</summary>
    private static void ShouldHaveFallenBack(IReadOnlyList<SendOutcome> outcomes, EndToEndHost host)
    {
        var native = host.Native.Messages.ToDictionary(m => m.MessageId ?? string.Empty);
        foreach (var outcome in outcomes)
        {
            outcome.FailureKind.Should().Be(SmtpFailureKind.AuthenticationFailed, outcome.ToString());
            if (outcome.Category == EmailCategory.Marketing)
            {
                outcome.Status.Should().Be(SendStatus.Deferred, outcome.ToString());
                native.Should().NotContainKey(outcome.MessageId);
                continue;
            }

            outcome.Status.Should().Be(SendStatus.Sent, outcome.ToString());
            outcome.Channel.Should().Be(EmailChannel.Native);
            outcome.IsFallback.Should().BeTrue();
            var message = native[outcome.MessageId];
            message.From.Mailboxes.Single().Address.Should().Be("mailer@petsoftware.net");
            message.ReplyTo.Mailboxes.Single().Address.Should().Be("office@paws.example");
        }
    }
}
