using System.Collections.Concurrent;
using PetSitter.Email.Testing;

namespace PetSitter.Email.Tests.EndToEnd;

/// <summary>The owner follows the advice and saves new settings: the account is tried again with the next message, not at the next probe.</summary>
public sealed class SettingsChangeTests
{
    private const string Mailbox = "hello@paws.test";

    [Fact]
    public async Task Switching_on_starttls_after_the_provider_required_it_lets_the_next_message_through()
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new() { Security = ScriptedServerSecurity.StartTlsRequired, UserName = Mailbox, Password = "app-password" });
        await using var host = new EndToEndHost();
        var secure = server.CreateAccountSettings(Mailbox);

        // Set up years ago for a plain connection, before the provider started requiring TLS.
        var plain = new SmtpAccountSettings
        {
            Host = secure.Host,
            Port = secure.Port,
            Security = SmtpSecurity.None,
            AllowAuthenticationWithoutTls = true,
            UserName = secure.UserName,
            Password = secure.Password,
            FromAddress = secure.FromAddress,
        };
        host.Settings.Set(EndToEndHost.Business("paws", plain));
        var changes = new ConcurrentQueue<AccountHealthChangedEventArgs>();
        host.Health.HealthChanged += (_, change) => changes.Enqueue(change);

        var refused = await host.SendAsync("paws", EmailCategory.Invoice, 1);

        refused.Channel.Should().Be(EmailChannel.Native);
        refused.FailureKind.Should().Be(SmtpFailureKind.ProviderRequirementsChanged);
        changes.Should().ContainSingle().Which.Advice.Should().ContainEquivalentOf("security setting");

        host.Settings.Set(EndToEndHost.Business("paws", secure));
        var delivered = await host.SendAsync("paws", EmailCategory.Invoice, 2);

        delivered.Status.Should().Be(SendStatus.Sent);
        delivered.Channel.Should().Be(EmailChannel.Smtp, "the owner changed the setting the advice named");
        server.Messages.Should().ContainSingle().Which.WasSecure.Should().BeTrue();
        changes.Last().State.Should().Be(AccountHealthState.Healthy);
    }

    [Fact]
    public async Task Correcting_a_refused_from_address_lets_the_next_message_through()
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new());
        server.Script = context => context.Stage == SmtpStage.MailFrom && context.Address != Mailbox
            ? new SmtpReply(553, $"5.7.1 <{context.Address}>: Sender address rejected: not owned by user {Mailbox}")
            : null;
        await using var host = new EndToEndHost();
        var wrongFrom = server.CreateAccountSettings("bookings@paws.test", Mailbox, "app-password");
        host.Settings.Set(EndToEndHost.Business("paws", wrongFrom));

        var refused = await host.SendAsync("paws", EmailCategory.Quote, 1);

        refused.Channel.Should().Be(EmailChannel.Native);
        refused.FailureKind.Should().Be(SmtpFailureKind.Misconfigured);
        refused.Reason.Should().Contain("From address");

        host.Settings.Set(EndToEndHost.Business("paws", server.CreateAccountSettings(Mailbox, Mailbox, "app-password")));
        var delivered = await host.SendAsync("paws", EmailCategory.Quote, 2);

        delivered.Channel.Should().Be(EmailChannel.Smtp, "the owner changed the setting the advice named");
        server.Messages.Should().ContainSingle().Which.Sender.Should().Be(Mailbox);
    }
}
