using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PetSitter.Email.Testing;
using PetSitter.Email.Tests.Secrets;
using PetSitter.Email.Tests.Support;

namespace PetSitter.Email.Tests.Limits;

/// <summary>
/// The reserve for direct mail and the warm-up of a new mailbox, over simulated days on a fake clock: the library
/// as an app composes it (in-memory quota store, channel, sender, deferred queue and dispatcher), with a recording
/// SMTP transport standing in for Gmail (<see cref="CampaignTransport"/>).
/// </summary>
public sealed class MarketingReserveTests
{
    private const string Business = "paws";

    /// <summary>Gmail's 500 a day (the preset) at the default 60 %.</summary>
    private const int MarketingShareOfGmailDay = 300;

    [Fact]
    public async Task A_2000_message_campaign_on_a_Gmail_account_never_takes_the_reserve_and_invoices_during_it_go_over_SMTP()
    {
        // An established mailbox: no warm-up, so only the reserve holds the campaign back.
        await using var app = new App(Gmail(firstDay: 0));

        var invoices = await app.World.RunAsync(Business, campaign: 2_000, invoiceEvery: TimeSpan.FromMinutes(30), app.Transport, app.Queue, maxDays: 12);

        var accepted = app.Transport.Accepted;
        invoices.Should().HaveCountGreaterThan(300, "a week of invoices, one every 30 minutes");
        invoices.Should().OnlyContain(o => o.Status == SendStatus.Sent && o.Channel == EmailChannel.Smtp, "the reserve kept room in the owner's mailbox for every invoice");
        accepted.Count(a => a.Marketing).Should().Be(2_000, "the whole campaign went out, over several days");
        AssertEveryMessageEndedOnce(app, 2_000 + invoices.Count);
        for (var i = 0; i < accepted.Count; i++)
        {
            var inDay = InWindow(accepted, i, TimeSpan.FromDays(1));
            inDay.Should().BeLessThanOrEqualTo(500, "Gmail's 500 a day is never exceeded (send at {0})", accepted[i].At);
            if (accepted[i].Marketing)
            {
                inDay.Should().BeLessThanOrEqualTo(MarketingShareOfGmailDay, "a marketing send never takes the last 40 % of the day (send at {0})", accepted[i].At);
            }
        }

        app.Health.GetHealth(Business).State.Should().Be(AccountHealthState.Healthy, "marketing held to its share is not news about the owner's account");
    }

    [Fact]
    public async Task A_new_mailbox_sends_marketing_on_the_warm_up_schedule_and_the_surplus_goes_out_on_later_days()
    {
        await using var app = new App(Gmail(firstDay: 50));

        await app.World.RunAsync(Business, campaign: 600, invoiceEvery: null, app.Transport, app.Queue, maxDays: 6);

        // Day 1: 50, day 2: 100, day 3: 200, day 4: 400 capped by the 300 share; each day counted from the first send.
        var perDay = MarketingPerDay(app.Transport.Accepted, EndToEndStart);
        perDay.Should().HaveCountGreaterThanOrEqualTo(4);
        perDay[0].Should().Be(50);
        perDay[1].Should().BeLessThanOrEqualTo(100);
        perDay[2].Should().BeLessThanOrEqualTo(200);
        perDay.Skip(3).Should().OnlyContain(n => n <= MarketingShareOfGmailDay);
        perDay.Sum().Should().Be(600, "the surplus was deferred and sent on later days, none dropped");
        AssertEveryMessageEndedOnce(app, 600);
    }

    [Fact]
    public async Task A_business_override_of_the_share_and_the_warm_up_is_honoured()
    {
        await using var app = new App(Gmail(firstDay: 10, share: 20));

        await app.World.RunAsync(Business, campaign: 150, invoiceEvery: null, app.Transport, app.Queue, maxDays: 6);

        // Day 1: 10, day 2: 20, day 3: 40, day 4: 80, then 100 (20 % of 500) caps the 160 of day 5.
        var perDay = MarketingPerDay(app.Transport.Accepted, EndToEndStart);
        perDay[0].Should().Be(10);
        perDay[1].Should().BeLessThanOrEqualTo(20);
        perDay[2].Should().BeLessThanOrEqualTo(40);
        perDay.Should().OnlyContain(n => n <= 100);
        perDay.Sum().Should().Be(150);
        AssertEveryMessageEndedOnce(app, 150);
    }

    [Fact]
    public async Task Direct_mail_may_use_the_reserve_that_marketing_may_not()
    {
        await using var app = new App(Gmail(firstDay: 0, limits: new SendLimits { MessagesPerSecond = 1000, MessagesPerDay = 10 }));

        // 60 % of 10: marketing stops at 6; invoices then take the remaining 4 over SMTP.
        for (var i = 0; i < 8; i++)
        {
            await app.World.SendAsync(Business, EmailCategory.Marketing, i);
        }

        for (var i = 0; i < 4; i++)
        {
            (await app.World.SendAsync(Business, EmailCategory.Invoice, 100 + i)).Channel.Should().Be(EmailChannel.Smtp);
        }

        var fifth = await app.World.SendAsync(Business, EmailCategory.Invoice, 104);

        app.Transport.Accepted.Count(a => a.Marketing).Should().Be(6);
        app.World.FirstOutcomes.Values.Count(o => o.Category == EmailCategory.Marketing && o.Status == SendStatus.Deferred).Should().Be(2);
        fifth.Channel.Should().Be(EmailChannel.Native, "the whole limit is used: the invoice gets through the platform's mailer");
        var held = app.World.FirstOutcomes.Values.First(o => o.Category == EmailCategory.Marketing && o.Status == SendStatus.Deferred);
        held.SmtpFailure!.LimitWindow.Should().Be(LimitWindow.MessagesPerDay);
        held.SmtpFailure.Advice.Should().StartWith("Marketing paused to keep room for quotes and invoices until 2026-11-28 10:00 UTC");
        held.SmtpFailure.IsAccountLevel.Should().BeFalse("the account is fine: direct mail still goes");
        held.DeferredUntil.Should().Be(new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero), "the day's first hour of sends leaves the rolling day then");
    }

    [Fact]
    public async Task Marketing_over_the_warm_up_ceiling_is_deferred_to_the_next_warm_up_day_with_the_reason()
    {
        await using var app = new App(Gmail(firstDay: 5, limits: new SendLimits { MessagesPerSecond = 1000 }));

        for (var i = 0; i < 6; i++)
        {
            await app.World.SendAsync(Business, EmailCategory.Marketing, i);
        }

        var invoice = await app.World.SendAsync(Business, EmailCategory.Invoice, 100);

        app.Transport.Accepted.Count(a => a.Marketing).Should().Be(5);
        invoice.Channel.Should().Be(EmailChannel.Smtp, "the warm-up paces marketing only");
        var held = app.World.FirstOutcomes.Values.Single(o => o.Status == SendStatus.Deferred);
        held.SmtpFailure!.Advice.Should().StartWith("Marketing paused while your mailbox warms up (day 1 of its warm-up: at most 5 emails a day");
        held.DeferredUntil.Should().Be(EndToEndStart + TimeSpan.FromDays(1), "the ceiling doubles when the second warm-up day starts");
    }

    [Fact]
    public async Task A_share_of_100_percent_and_no_warm_up_let_marketing_use_the_whole_limit()
    {
        await using var app = new App(Gmail(firstDay: 0, share: 100, limits: new SendLimits { MessagesPerSecond = 1000, MessagesPerDay = 10 }));

        for (var i = 0; i < 11; i++)
        {
            await app.World.SendAsync(Business, EmailCategory.Marketing, i);
        }

        app.Transport.Accepted.Count(a => a.Marketing).Should().Be(10);
    }

    [Fact]
    public async Task A_share_of_100_percent_still_warms_up_a_new_mailbox()
    {
        await using var app = new App(Gmail(firstDay: 5, share: 100, limits: new SendLimits { MessagesPerSecond = 1000 }));

        for (var i = 0; i < 6; i++)
        {
            await app.World.SendAsync(Business, EmailCategory.Marketing, i);
        }

        app.Transport.Accepted.Count(a => a.Marketing).Should().Be(5, "the whole limit is marketing's, but a new mailbox still starts at 5 a day");
        var held = app.World.FirstOutcomes.Values.Single(o => o.Status == SendStatus.Deferred);
        held.SmtpFailure!.Advice.Should().StartWith("Marketing paused while your mailbox warms up (day 1 of its warm-up: at most 5 emails a day");
    }

    [Fact]
    public async Task Once_the_warm_up_is_over_marketing_still_leaves_the_reserve()
    {
        // A first day of 10 already reaches the daily limit of 10: the warm-up is over from the start, the 60 % share is not.
        await using var app = new App(Gmail(firstDay: 10, limits: new SendLimits { MessagesPerSecond = 1000, MessagesPerDay = 10 }));

        for (var i = 0; i < 8; i++)
        {
            await app.World.SendAsync(Business, EmailCategory.Marketing, i);
        }

        app.Transport.Accepted.Count(a => a.Marketing).Should().Be(6);
        var held = app.World.FirstOutcomes.Values.First(o => o.Status == SendStatus.Deferred);
        held.SmtpFailure!.Advice.Should().StartWith("Marketing paused to keep room for quotes and invoices");
    }

    [Fact]
    public async Task Marketing_held_by_a_share_tighter_than_the_warm_up_ceiling_is_told_about_the_reserve_not_the_warm_up()
    {
        // Day 1's ceiling is 8, but 60 % of 10 a day is 6: the share is what stops the seventh.
        await using var app = new App(Gmail(firstDay: 8, limits: new SendLimits { MessagesPerSecond = 1000, MessagesPerDay = 10 }));

        for (var i = 0; i < 7; i++)
        {
            await app.World.SendAsync(Business, EmailCategory.Marketing, i);
        }

        app.Transport.Accepted.Count(a => a.Marketing).Should().Be(6);
        var held = app.World.FirstOutcomes.Values.Single(o => o.Status == SendStatus.Deferred);
        held.SmtpFailure!.Advice.Should().StartWith("Marketing paused to keep room for quotes and invoices");
        held.SmtpFailure.Advice.Should().NotContain("warms up");
    }

    [Fact]
    public void The_warm_up_ends_on_the_day_its_ceiling_reaches_the_daily_limit()
    {
        var limits = new SendLimits { MessagesPerDay = 800 };

        MarketingReserve.WarmUpCeiling(50, 4, limits).Should().Be(400);
        MarketingReserve.WarmUpCeiling(50, 5, limits).Should().Be(0, "a ceiling of 800 lets through all the day's 800: nothing left to warm up");
    }

    [Fact]
    public async Task The_warm_up_ceiling_doubles_daily_until_it_reaches_the_daily_limit()
    {
        var gmail = ProviderPresets.Find("Gmail")!.Limits;
        int[] ceilings = [.. Enumerable.Range(1, 6).Select(day => MarketingReserve.WarmUpCeiling(50, day, gmail))];

        ceilings.Should().Equal(50, 100, 200, 400, 0, 0);
        MarketingReserve.WarmUpCeiling(50, 9, SendLimits.None).Should().Be(12_800, "without a daily limit the schedule runs nine days");
        MarketingReserve.WarmUpCeiling(50, 10, SendLimits.None).Should().Be(0);
        MarketingReserve.WarmUpCeiling(50, 3, new SendLimits { MessagesPerHour = 50 }).Should().Be(200, "an hourly limit of 50 allows 1,200 a day");
    }

    [Fact]
    public void Invalid_per_business_values_are_reported_naming_the_field()
    {
        var account = Gmail(firstDay: -1, share: 0);

        var errors = account.Validate("Smtp.");

        errors.Should().Contain(e => e.StartsWith("Smtp.MarketingSharePercent 0 is out of range: use 1-100", StringComparison.Ordinal));
        errors.Should().Contain(e => e.StartsWith("Smtp.MarketingWarmUpFirstDay -1 is out of range: use 0-1000000", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0, 50, "MarketingSharePercent")]
    [InlineData(101, 50, "MarketingSharePercent")]
    [InlineData(60, -1, "MarketingWarmUpFirstDay")]
    public void Invalid_library_wide_values_stop_the_host_naming_the_option(int share, int firstDay, string field)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider());
        services.AddPetSitterEmail().ConfigureSendLimits(options =>
        {
            options.MarketingSharePercent = share;
            options.MarketingWarmUpFirstDay = firstDay;
        });
        using var provider = services.BuildServiceProvider();

        var start = () => provider.GetRequiredService<IStartupValidator>().Validate();

        start.Should().Throw<OptionsValidationException>().WithMessage($"*{field}*");
    }

    [Fact]
    public void Marketing_checks_with_the_reserve_on_allocate_nothing_allowed_or_refused()
    {
        var time = new FakeTimeProvider(EndToEndStart);
        var store = new InMemorySendQuotaStore(time);
        var reserve = new MarketingReserve(store, time, new SendLimitOptions());
        var roomy = Gmail(firstDay: 0, limits: new SendLimits { MessagesPerSecond = 1_000_000, MessagesPerDay = 1_000_000 });
        var full = Gmail(firstDay: 0, limits: new SendLimits { MessagesPerSecond = 1_000_000, MessagesPerDay = 10 });
        for (var i = 0; i < 10; i++)
        {
            Completed(store.TryAcquireAsync("full", full.EffectiveLimits(), 1)).IsAllowed.Should().BeTrue();
        }

        bool Check(SmtpAccountSettings account, string key)
        {
            // Synchronous: no history is asked for with the warm-up off.
            var share = reserve.ForAsync(account, key, account.EffectiveLimits(), EmailCategory.Marketing, CancellationToken.None);
            var check = store.TryAcquireAsync(key, share.Result.Limits, 1);
            return share.IsCompletedSuccessfully && check.IsCompletedSuccessfully && check.Result.IsAllowed;
        }

        Check(roomy, "roomy").Should().BeTrue();
        Check(full, "full").Should().BeFalse("the day holds 10, more than marketing's 6");
        var before = GC.GetAllocatedBytesForCurrentThread();
        var allowed = 0;
        var refused = 0;
        for (var i = 0; i < 10_000; i++)
        {
            allowed += Check(roomy, "roomy") ? 1 : 0;
            refused += Check(full, "full") ? 0 : 1;
            time.Advance(TimeSpan.FromMilliseconds(7));
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        allowed.Should().Be(10_000);
        refused.Should().Be(10_000);
        allocated.Should().Be(0);
    }

    private static QuotaDecision Completed(ValueTask<QuotaDecision> pending)
    {
        pending.IsCompletedSuccessfully.Should().BeTrue();
        return pending.Result;
    }

    [Fact]
    public void The_documented_configuration_keeps_the_reserve_and_warms_up_one_new_mailbox()
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider());
        var appPassword = TestSecrets.AppPassword;

        // As in docs/deliverability.md, "Reserve and pacing".
        services.AddPetSitterEmail()
            .ConfigureSendLimits(options =>
            {
                options.MarketingSharePercent = 60;   // the default: 40 % of each hour and day kept for direct mail
                options.MarketingWarmUpFirstDay = 0;  // the default: no warm-up unless a business asks for it
            });

        // A business that just connected a new mailbox: warm it up from 50 a day.
        var smtp = new SmtpAccountSettings
        {
            Host = "smtp.gmail.com",
            UserName = "pawsandclaws@gmail.com",
            Password = appPassword,
            FromAddress = "pawsandclaws@gmail.com",
            MarketingWarmUpFirstDay = 50,
        };

        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();
        var defaults = new SendLimitOptions();
        provider.GetRequiredService<IOptions<SendLimitOptions>>().Value.Should().BeEquivalentTo(new { defaults.MarketingSharePercent, defaults.MarketingWarmUpFirstDay }, "the snippet spells out the defaults");
        smtp.Validate().Should().BeEmpty();
    }

    private static readonly DateTimeOffset EndToEndStart = new(2026, 11, 27, 9, 0, 0, TimeSpan.Zero);

    private static SmtpAccountSettings Gmail(int? firstDay, int? share = null, SendLimits? limits = null) => new()
    {
        MarketingWarmUpFirstDay = firstDay,
        MarketingSharePercent = share,
        Limits = limits,
        Host = "smtp.gmail.com",
        Port = 587,
        UserName = "paws.sitting@gmail.com",
        Password = TestSecrets.AppPassword,
        FromAddress = "paws.sitting@gmail.com",
    };

    /// <summary>How many of the sends in the <paramref name="window"/> ending at send <paramref name="i"/> (itself included) there are.</summary>
    private static int InWindow(IReadOnlyList<(DateTimeOffset At, bool Marketing, string MessageId)> accepted, int i, TimeSpan window)
    {
        var count = 0;
        for (var j = i; j >= 0 && accepted[i].At - accepted[j].At < window; j--)
        {
            count++;
        }

        return count;
    }

    /// <summary>Marketing sends per 24 hours from <paramref name="start"/> (the mailbox's first send: the warm-up's day 1).</summary>
    private static List<int> MarketingPerDay(IReadOnlyList<(DateTimeOffset At, bool Marketing, string MessageId)> accepted, DateTimeOffset start) =>
        [.. accepted.Where(a => a.Marketing).GroupBy(a => (int)((a.At - start).Ticks / TimeSpan.TicksPerDay)).OrderBy(g => g.Key).Select(g => g.Count())];

    /// <summary>Each message handed over ends in exactly one final outcome: at once, or later from the dispatcher.</summary>
    private static void AssertEveryMessageEndedOnce(App app, int messages)
    {
        var final = app.World.FirstOutcomes.Values.Where(o => o.Status != SendStatus.Deferred).Concat(app.Listener.Outcomes).ToList();
        final.Should().HaveCount(messages);
        final.Select(o => o.MessageId).Should().OnlyHaveUniqueItems();
        final.Should().OnlyContain(o => o.Status == SendStatus.Sent);
        app.World.FirstOutcomes.Should().HaveCount(messages);
    }

    private sealed class App : IAsyncDisposable
    {
        private readonly ServiceProvider _provider;

        public App(SmtpAccountSettings account)
        {
            Transport = new CampaignTransport(Time);
            var services = new ServiceCollection();
            services.AddSingleton<TimeProvider>(Time);
            services.AddTestLogging();
            services.AddSingleton<IBusinessEmailSettingsProvider>(new StaticSettingsProvider(TestData.Business(Business, account)));
            services.AddSingleton<ISmtpTransport>(Transport);
            services.AddSingleton<IEmailOutcomeListener>(Listener);
            services.AddPetSitterEmail(options => options.Retry.MaxRetryAttempts = 0)
                .ConfigureSendLimits(options => options.MaxThrottleWait = TimeSpan.Zero)
                .ConfigureFallback(CampaignWorld.Fallback);
            services.Replace(ServiceDescriptor.Singleton<INativeMailer>(new RecordingNativeMailer()));
            _provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
            _provider.GetRequiredService<IStartupValidator>().Validate();
            var dispatcher = _provider.GetServices<IHostedService>().OfType<DeferredEmailDispatcher>().Single();
            World = new CampaignWorld(Time, _provider.GetRequiredService<IEmailSender>(), dispatcher.DispatchDueAsync);
        }

        public FakeTimeProvider Time { get; } = new(EndToEndStart);

        public CampaignTransport Transport { get; }

        public CampaignListener Listener { get; } = new();

        public CampaignWorld World { get; }

        public IDeferredEmailQueue Queue => _provider.GetRequiredService<IDeferredEmailQueue>();

        public IAccountHealthMonitor Health => _provider.GetRequiredService<IAccountHealthMonitor>();

        public ValueTask DisposeAsync() => _provider.DisposeAsync();
    }
}
