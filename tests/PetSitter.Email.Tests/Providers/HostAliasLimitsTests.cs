using PetSitter.Email.Testing;
using PetSitter.Email.Tests.EndToEnd;

namespace PetSitter.Email.Tests.Providers;

/// <summary>
/// An account on a provider's alias host is held to the provider's send limits through the whole send path
/// (settings → limits → quota store → outcome). The window is filled in the host's quota store to one send
/// short of nothing, so the next send is refused before any connection: an account without the preset (the bug
/// this pins) would have gone to the network instead. A loopback account with the same count goes out,
/// so the refusal comes from the alias's preset and not from the count alone.
/// </summary>
public sealed class HostAliasLimitsTests
{
    private const string Mailbox = "office@barkingmad.test";

    public static TheoryData<string, string, LimitWindow, int> Aliases => new()
    {
        // A legacy host name of Exchange Online: 30 messages a minute.
        { "smtp-legacy.office365.com", "Microsoft 365", LimitWindow.MessagesPerMinute, 30 },

        // A regional data centre of Zoho: 50 messages a rolling hour.
        { "smtp.zoho.com.au", "Zoho", LimitWindow.MessagesPerHour, 50 },
    };

    [Theory]
    [MemberData(nameof(Aliases))]
    public async Task An_account_on_a_providers_alias_host_is_refused_at_the_providers_limit_named_with_its_window(
        string host, string preset, LimitWindow window, int allowed)
    {
        await using var loopback = await ScriptedSmtpServer.StartAsync(new() { ServerName = "smtp.loopback.test" });
        await using var e2e = new EndToEndHost();
        var limits = ProviderPresets.Find(preset)!.Limits;
        var alias = new SmtpAccountSettings
        {
            Host = host,
            Port = 587,
            Security = SmtpSecurity.StartTls,
            UserName = Mailbox,
            Password = "app-password",
            FromAddress = Mailbox,
        };
        var local = loopback.CreateAccountSettings(Mailbox, Mailbox, "app-password");
        e2e.Settings.Set(EndToEndHost.Business("alias", alias));
        e2e.Settings.Set(EndToEndHost.Business("local", local));

        // The provider's window is used up for both mailboxes, counted as the provider counts it.
        foreach (var account in new[] { alias, local })
        {
            for (var i = 0; i < allowed; i++)
            {
                (await e2e.Quotas.TryAcquireAsync(SmtpChannel.AccountKey(account), limits, 1)).IsAllowed.Should().BeTrue();
            }
        }

        var refused = await e2e.SendAsync("alias", EmailCategory.Marketing, 1);
        var sent = await e2e.SendAsync("local", EmailCategory.Marketing, 2);

        refused.Status.Should().Be(SendStatus.Deferred, refused.ToString());
        refused.FailureKind.Should().Be(SmtpFailureKind.SendLimitReached);
        refused.LimitWindow.Should().Be(window);
        refused.DeferredUntil.Should().BeAfter(EndToEndHost.Start);
        (await e2e.Queue.CountAsync(CancellationToken.None)).Should().Be(1);

        // No preset for a loopback host: the same count holds nothing back.
        sent.Status.Should().Be(SendStatus.Sent, sent.ToString());
        sent.Channel.Should().Be(EmailChannel.Smtp);
        loopback.Messages.Should().ContainSingle();
        e2e.Native.SendAttempts.Should().Be(0, "marketing never spends the platform's reputation");
    }
}
