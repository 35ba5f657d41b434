using PetSitter.Email.Testing;

namespace PetSitter.Email.Tests.EndToEnd;

public sealed class ProviderQuotaTests
{
    private const string Mailbox = "office@barkingmad.test";

    private volatile bool _quotaUsedUp = true;

    [Fact]
    public async Task Provider_quota_reply_marks_the_account_exhausted_even_when_our_count_disagrees()
    {
        await using var office = await ScriptedSmtpServer.StartAsync(new() { ServerName = "smtp.office365.test" });
        office.Script = context => context.Stage == SmtpStage.AfterData && _quotaUsedUp ? ProviderReplies.Microsoft365.SubmissionQuotaExceeded : null;
        await using var host = new EndToEndHost();

        // Our own count allows 10,000 a day; the owner has also been sending from Outlook on the phone, so the
        // provider's count is what matters. Two branches of the business send through the same mailbox.
        var account = EndToEndHost.With(office.CreateAccountSettings(Mailbox, Mailbox, "app-password"), limits: new SendLimits { MessagesPerDay = 10_000 });
        host.Settings.Set(EndToEndHost.Business("barkingmad", account));
        host.Settings.Set(EndToEndHost.Business("barkingmad-north", account));
        var resetsAt = EndToEndHost.Start + TimeSpan.FromHours(24);

        var refused = await host.SendAsync("barkingmad", EmailCategory.Invoice, 1);

        refused.Status.Should().Be(SendStatus.Sent);
        refused.Channel.Should().Be(EmailChannel.Native);
        refused.IsFallback.Should().BeTrue();
        refused.FailureKind.Should().Be(SmtpFailureKind.SendLimitReached);
        office.Messages.Should().BeEmpty();
        var health = host.Health.GetHealth("barkingmad");
        health.State.Should().Be(AccountHealthState.Throttled);
        health.Kind.Should().Be(SmtpFailureKind.SendLimitReached);
        health.Until.Should().Be(resetsAt);
        health.Advice.Should().Contain("Microsoft");
        var quota = await host.Quotas.GetAsync(SmtpChannel.AccountKey(account));
        quota!.MessagesLastDay.Should().Be(1, "our count saw one message of the 10,000 a day it allows");
        quota.ExhaustedUntil.Should().Be(resetsAt);
        quota.ExhaustedReason.Should().Contain("SubmissionQuotaExceeded");

        var connections = office.ConnectionsOpened;
        var signIns = office.AuthenticationsSucceeded;
        var later = new List<SendOutcome>();
        foreach (var (business, category, number) in new[]
        {
            ("barkingmad", EmailCategory.Quote, 2), ("barkingmad", EmailCategory.Marketing, 3), ("barkingmad-north", EmailCategory.Invoice, 4),
            ("barkingmad-north", EmailCategory.Marketing, 5), ("barkingmad", EmailCategory.SystemNotification, 6), ("barkingmad-north", EmailCategory.General, 7),
        })
        {
            later.Add(await host.SendAsync(business, category, number));
        }

        office.ConnectionsOpened.Should().Be(connections, "nothing goes to the mailbox until its quota resets");
        office.AuthenticationsSucceeded.Should().Be(signIns);
        office.Messages.Should().BeEmpty();
        foreach (var outcome in later)
        {
            outcome.FailureKind.Should().Be(SmtpFailureKind.SendLimitReached, outcome.ToString());
            if (outcome.Category == EmailCategory.Marketing)
            {
                outcome.Status.Should().Be(SendStatus.Deferred);
                outcome.DeferredUntil.Should().Be(resetsAt, "marketing waits exactly until the provider's window resets");
            }
            else
            {
                outcome.Channel.Should().Be(EmailChannel.Native);
                outcome.IsFallback.Should().BeTrue();
            }
        }

        // The branch that never met the reply is held by the mailbox's quota, not by its own breaker.
        var north = host.Health.GetHealth("barkingmad-north");
        north.State.Should().Be(AccountHealthState.Throttled);
        north.Until.Should().Be(resetsAt);

        host.Time.Advance(TimeSpan.FromHours(24) - TimeSpan.FromMinutes(1));
        (await host.SendAsync("barkingmad", EmailCategory.Invoice, 8)).Channel.Should().Be(EmailChannel.Native);
        (await host.SendAsync("barkingmad-north", EmailCategory.Invoice, 9)).Channel.Should().Be(EmailChannel.Native);
        office.ConnectionsOpened.Should().Be(connections);

        // The provider's rolling day moves on.
        _quotaUsedUp = false;
        host.Time.Advance(TimeSpan.FromMinutes(2));
        var delivered = await host.SendAsync("barkingmad", EmailCategory.Invoice, 10);

        delivered.Status.Should().Be(SendStatus.Sent);
        delivered.Channel.Should().Be(EmailChannel.Smtp);
        delivered.IsFallback.Should().BeFalse();
        office.Messages.Should().ContainSingle().Which.Message.MessageId.Should().Be(EndToEndHost.MessageId(10));
        host.Health.GetHealth("barkingmad").IsHealthy.Should().BeTrue();
        host.Health.GetHealth("barkingmad-north").IsHealthy.Should().BeTrue();
    }
}
