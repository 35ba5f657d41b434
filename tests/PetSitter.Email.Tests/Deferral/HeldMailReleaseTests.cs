using PetSitter.Email.Testing;
using PetSitter.Email.Tests.EndToEnd;
using PetSitter.Email.Tests.Secrets;

namespace PetSitter.Email.Tests.Deferral;

/// <summary>Marketing held by a wrong password goes out as soon as the owner saves the right one, not at the next probe.</summary>
public sealed class HeldMailReleaseTests
{
    private const string Mailbox = "owner@paws.example";

    [Fact]
    public async Task Saving_the_right_password_releases_held_marketing_on_the_next_poll_exactly_once()
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new());

        // Gmail's refusal of a wrong password (https://support.google.com/mail/?p=BadCredentials, quoted in
        // /work/shared/providers.md), until the owner saves the right one.
        server.Script = context => context.Stage == SmtpStage.Authenticate ? ProviderReplies.Gmail.BadCredentials : null;
        await using var host = new EndToEndHost();
        host.Settings.Set(EndToEndHost.Business("paws", server.CreateAccountSettings(Mailbox, Mailbox, TestSecrets.OldPassword)));

        // The first signs in and is refused (tried again after DeferredRetryDelay); the second is stopped by the
        // breaker until its probe, CredentialProbeInterval (6 hours) away.
        var held = new[] { await host.SendAsync("paws", EmailCategory.Marketing, 1), await host.SendAsync("paws", EmailCategory.Marketing, 2) };
        held.Should().OnlyContain(o => o.Status == SendStatus.Deferred && o.FailureKind == SmtpFailureKind.AuthenticationFailed);
        held[1].DeferredUntil.Should().Be(EndToEndHost.Start + TimeSpan.FromHours(6));

        // A poll before the owner acts changes nothing: the settings are the ones that failed.
        host.Time.Advance(TimeSpan.FromSeconds(30));
        (await host.DispatchDueAsync()).Should().Be(0);

        server.Script = null;
        host.Settings.Set(EndToEndHost.Business("paws", server.CreateAccountSettings(Mailbox, Mailbox, TestSecrets.CorrectedPassword)));
        host.Time.Advance(TimeSpan.FromSeconds(30));
        (await host.DispatchDueAsync()).Should().Be(2, "the saved settings differ from the ones the mail failed with");
        (await host.DispatchDueAsync()).Should().Be(0);

        server.Messages.Select(m => m.Message.MessageId).Should().Equal(held.Select(o => o.MessageId), "each is sent exactly once, in order");
        host.Outcomes.Outcomes.Should().HaveCount(2).And.OnlyContain(o => o.Status == SendStatus.Sent && o.Channel == EmailChannel.Smtp);
        (await host.Queue.CountAsync(default)).Should().Be(0);
        server.AuthenticationsFailed.Should().Be(1);
    }

    [Fact]
    public async Task Mail_held_for_a_reason_other_than_the_account_is_not_moved_by_a_settings_change()
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new());
        await using var host = new EndToEndHost();
        host.Settings.Set(EndToEndHost.Business("paws", server.CreateAccountSettings(Mailbox, Mailbox, TestSecrets.OldPassword)));
        var queue = (IAccountHeldMail)host.Queue;
        var failure = new SmtpFailure(SmtpFailureKind.Transient, isAccountLevel: false, isTransient: true, "Try later.");
        var email = new OutgoingEmail("paws", EmailCategory.Marketing, EndToEndHost.Message(1, EmailCategory.Marketing));
        await host.Queue.EnqueueAsync(new DeferredEmail(email, EndToEndHost.Start + TimeSpan.FromHours(1), failure, EndToEndHost.Start), default);

        (await queue.HeldAccountsAsync(EndToEndHost.Start, default)).Should().BeEmpty();
        (await queue.ReleaseAsync("paws", "another", EndToEndHost.Start, default)).Should().Be(0);
        (await host.Queue.TakeDueAsync(EndToEndHost.Start, 10, default)).Should().BeEmpty();
    }
}
