using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PetSitter.Email.Redis.Tests.Support;
using PetSitter.Email.Tests.Limits;

namespace PetSitter.Email.Redis.Tests.Limits;

/// <summary>
/// The reserve and the warm-up with the Redis store (its Lua scripts against the fixture's real redis-server) and the
/// Redis deferred queue: the simulated days of <c>MarketingReserveTests</c>, with a recording SMTP transport.
/// </summary>
[Collection(RedisGroup.Name)]
public sealed class RedisMarketingReserveTests(RedisFixture redis)
{
    private static readonly DateTimeOffset Origin = new(2026, 11, 27, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_2000_message_campaign_on_a_Gmail_account_never_takes_the_reserve_and_invoices_during_it_go_over_SMTP()
    {
        var time = new FakeTimeProvider(Origin);
        var transport = new CampaignTransport(time);
        var listener = new CampaignListener();
        var account = new SmtpAccountSettings
        {
            Host = "smtp.gmail.com",
            Port = 587,
            UserName = "paws.sitting@gmail.com",
            Password = "app-password-1",
            FromAddress = "paws.sitting@gmail.com",
            MarketingWarmUpFirstDay = 0,
        };
        await using var instance = Launch(time, transport, listener, account);
        var world = new CampaignWorld(time, instance.Sender, instance.Dispatcher.DispatchDueAsync);

        var invoices = await world.RunAsync("paws", campaign: 2_000, invoiceEvery: TimeSpan.FromMinutes(30), transport, instance.Queue, maxDays: 12);

        var accepted = transport.Accepted;
        invoices.Should().OnlyContain(o => o.Status == SendStatus.Sent && o.Channel == EmailChannel.Smtp);
        accepted.Count(a => a.Marketing).Should().Be(2_000);
        listener.Outcomes.Should().OnlyContain(o => o.Status == SendStatus.Sent);
        (world.FirstOutcomes.Values.Count(o => o.Status != SendStatus.Deferred) + listener.Outcomes.Count).Should().Be(2_000 + invoices.Count, "every message ends in exactly one outcome");
        for (var i = 0; i < accepted.Count; i++)
        {
            var inDay = 0;
            for (var j = i; j >= 0 && accepted[i].At - accepted[j].At < TimeSpan.FromDays(1); j--)
            {
                inDay++;
            }

            inDay.Should().BeLessThanOrEqualTo(500);
            if (accepted[i].Marketing)
            {
                inDay.Should().BeLessThanOrEqualTo(300, "a marketing send never takes the last 40 % of Gmail's day (send at {0})", accepted[i].At);
            }
        }
    }

    [Fact]
    public async Task A_new_mailbox_is_paced_by_the_history_kept_in_Redis_across_instances()
    {
        var time = new FakeTimeProvider(Origin);
        var transport = new CampaignTransport(time);
        var listener = new CampaignListener();
        var prefix = RedisFixture.NewPrefix();
        var account = new SmtpAccountSettings
        {
            Host = "smtp.gmail.com",
            Port = 587,
            UserName = "paws.sitting@gmail.com",
            Password = "app-password-1",
            FromAddress = "paws.sitting@gmail.com",
            MarketingWarmUpFirstDay = 5,
            Limits = new SendLimits { MessagesPerSecond = 1000 },
        };
        await using var first = Launch(time, transport, listener, account, prefix);
        await new CampaignWorld(time, first.Sender, first.Dispatcher.DispatchDueAsync).SendAsync("paws", EmailCategory.Invoice, 0);

        // A day and a half later a second instance starts: the history began with the first instance's invoice.
        time.Advance(TimeSpan.FromHours(36));
        await using var second = Launch(time, transport, listener, account, prefix);
        var world = new CampaignWorld(time, second.Sender, second.Dispatcher.DispatchDueAsync);
        var outcomes = new List<SendOutcome>();
        for (var i = 1; i <= 12; i++)
        {
            outcomes.Add(await world.SendAsync("paws", EmailCategory.Marketing, i));
        }

        // Day 2 of the warm-up (10), not day 1 (5) as a history kept per process would have it; the invoice has left the rolling day.
        transport.Accepted.Count(a => a.Marketing).Should().Be(10);
        outcomes.Count(o => o.Status == SendStatus.Deferred).Should().Be(2);
        outcomes.First(o => o.Status == SendStatus.Deferred).SmtpFailure!.Advice.Should().Contain("day 2 of its warm-up: at most 10 emails a day");
    }

    private Instance Launch(FakeTimeProvider time, CampaignTransport transport, CampaignListener listener, SmtpAccountSettings account, string? prefix = null) =>
        new(redis.ConnectionString, prefix ?? RedisFixture.NewPrefix(), time, new Settings(Settings.Business(account)), transport, services: services =>
        {
            services.AddSingleton<IEmailOutcomeListener>(listener);
            services.Configure<FallbackPolicyOptions>(CampaignWorld.Fallback);
        });
}
