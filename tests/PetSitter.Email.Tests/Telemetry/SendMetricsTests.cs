using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using NSubstitute;
using PetSitter.Email.Testing;
using PetSitter.Email.Tests.EndToEnd;
using PetSitter.Email.Tests.Secrets;

namespace PetSitter.Email.Tests.Telemetry;

public sealed class SendMetricsTests : IDisposable
{
    private const string Mailbox = "hello@paws.test";
    private const string Password = TestSecrets.TelemetryPassword;

    private readonly MeterProbe _probe = new();

    [Fact]
    public async Task A_send_via_smtp_counts_one_sent_email_with_its_channel_category_and_outcome()
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new());
        await using var host = new EndToEndHost(_probe.Register);
        host.Settings.Set(EndToEndHost.Business("paws", server.CreateAccountSettings(Mailbox, Mailbox, Password)));
        using var sends = _probe.Counter("petsitter.email.sends");
        using var duration = _probe.Histogram("petsitter.email.send.duration");

        var outcome = await host.SendAsync("paws", EmailCategory.Invoice, 1);

        outcome.Status.Should().Be(SendStatus.Sent);
        var sent = sends.GetMeasurementSnapshot().Should().ContainSingle().Subject;
        sent.Value.Should().Be(1);
        sent.Tags.Should().BeEquivalentTo(new Dictionary<string, object?>
        {
            ["petsitter.email.channel"] = "Smtp",
            ["petsitter.email.category"] = "Invoice",
            ["petsitter.email.outcome"] = "Sent",
            ["petsitter.email.resend"] = false,
        });
        duration.GetMeasurementSnapshot().Should().ContainSingle().Which.Tags.Should().BeEquivalentTo(sent.Tags);
    }

    [Fact]
    public async Task A_fallback_records_from_and_to_channel_and_the_failure_kind()
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new() { UserName = Mailbox, Password = TestSecrets.SecondPassword });
        server.Script = context => context.Stage == SmtpStage.Authenticate ? ProviderReplies.Gmail.BadCredentials : null;
        await using var host = new EndToEndHost(_probe.Register);
        host.Settings.Set(EndToEndHost.Business("paws", server.CreateAccountSettings(Mailbox, Mailbox, Password)));
        using var fallbacks = _probe.Counter("petsitter.email.fallbacks");
        using var failures = _probe.Counter("petsitter.email.smtp.failures");
        using var sends = _probe.Counter("petsitter.email.sends");

        var outcome = await host.SendAsync("paws", EmailCategory.Invoice, 1);

        outcome.IsFallback.Should().BeTrue();
        var fallback = fallbacks.GetMeasurementSnapshot().Should().ContainSingle().Subject;
        fallback.Tags.Should().Contain("petsitter.email.fallback.from", "Smtp")
            .And.Contain("petsitter.email.fallback.to", "Native")
            .And.Contain("error.type", "AuthenticationFailed")
            .And.Contain("petsitter.email.category", "Invoice")
            .And.Contain("petsitter.email.provider", "Other");
        failures.GetMeasurementSnapshot().Should().ContainSingle().Which.Tags.Should()
            .Contain("error.type", "AuthenticationFailed").And.Contain("petsitter.email.smtp.stage", "Authenticate");
        sends.GetMeasurementSnapshot().Should().ContainSingle().Which.Tags.Should()
            .Contain("petsitter.email.channel", "Native").And.Contain("petsitter.email.outcome", "Sent").And.Contain("error.type", "AuthenticationFailed");
    }

    [Fact]
    public async Task A_deferral_is_counted_with_its_failure_kind_and_again_when_the_dispatcher_defers_it()
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new());
        server.Script = context => context.Stage == SmtpStage.MailFrom ? ProviderReplies.Gmail.DailyLimitExceeded : null;
        await using var host = new EndToEndHost(_probe.Register);
        host.Settings.Set(EndToEndHost.Business("paws", server.CreateAccountSettings(Mailbox, Mailbox, Password)));
        using var deferrals = _probe.Counter("petsitter.email.deferrals");
        using var sends = _probe.Counter("petsitter.email.sends");

        var outcome = await host.SendAsync("paws", EmailCategory.Marketing, 1);

        outcome.Status.Should().Be(SendStatus.Deferred);
        var deferral = deferrals.GetMeasurementSnapshot().Should().ContainSingle().Subject;
        deferral.Tags.Should().Contain("error.type", "SendLimitReached")
            .And.Contain("petsitter.email.category", "Marketing")
            .And.Contain("petsitter.email.resend", false);
        sends.GetMeasurementSnapshot().Should().ContainSingle().Which.Tags.Should().Contain("petsitter.email.outcome", "Deferred");

        // The provider still refuses when it falls due: the dispatcher's try defers it again.
        host.Time.Advance(outcome.DeferredUntil!.Value - host.Time.GetUtcNow());
        (await host.DispatchDueAsync()).Should().Be(1);

        deferrals.GetMeasurementSnapshot().Select(m => m.Tags["petsitter.email.resend"]).Should().Equal(false, true);
        sends.GetMeasurementSnapshot().Should().HaveCount(2).And.Contain(m => Equals(m.Tags["petsitter.email.resend"], true));
    }

    [Fact]
    public async Task A_throttled_wait_is_counted_and_its_length_measured_on_the_librarys_clock()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        using var telemetry = new EmailTelemetry(_probe.Factory, time);
        var throttle = new SendThrottle(new InMemorySendQuotaStore(time), time, TimeSpan.FromSeconds(2));
        var recorder = new RecordingObserver(telemetry);
        var limits = new SendLimits { MessagesPerSecond = 1 };
        using var waits = _probe.Counter("petsitter.email.throttle.waits");
        using var waited = _probe.Histogram("petsitter.email.throttle.wait.duration");
        (await throttle.AcquireAsync("owner@paws.test", limits, 1, recorder, null, CancellationToken.None)).IsAllowed.Should().BeTrue();
        waits.GetMeasurementSnapshot().Should().BeEmpty("a send that found a free slot did not wait");

        var waiting = throttle.AcquireAsync("owner@paws.test", limits, 1, recorder, null, CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromMilliseconds(1_040));
        (await waiting.WaitAsync(TimeSpan.FromSeconds(10))).IsAllowed.Should().BeTrue();

        var wait = waits.GetMeasurementSnapshot().Should().ContainSingle().Subject;
        wait.Tags.Should().BeEquivalentTo(new Dictionary<string, object?>
        {
            ["petsitter.email.limit.window"] = "MessagesPerSecond",
            ["petsitter.email.throttle.result"] = "acquired",
        });
        waited.GetMeasurementSnapshot().Should().ContainSingle().Which.Value.Should().BeApproximately(1.04, 0.000_001);
    }

    [Fact]
    public async Task A_send_limit_refusal_is_counted_by_its_window()
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new());
        await using var host = new EndToEndHost(_probe.Register);
        var account = EndToEndHost.With(server.CreateAccountSettings(Mailbox, Mailbox, Password), limits: new SendLimits { MessagesPerHour = 1 });
        host.Settings.Set(EndToEndHost.Business("paws", account));
        using var refusals = _probe.Counter("petsitter.email.limit.refusals");

        await host.SendAsync("paws", EmailCategory.Invoice, 1);
        var second = await host.SendAsync("paws", EmailCategory.Invoice, 2);

        second.FailureKind.Should().Be(SmtpFailureKind.SendLimitReached);
        refusals.GetMeasurementSnapshot().Should().ContainSingle().Which.Tags.Should().Contain("petsitter.email.limit.window", "MessagesPerHour");
    }

    [Fact]
    public async Task Send_duration_is_in_seconds_from_the_call_to_the_outcome()
    {
        var transport = Substitute.For<ISmtpTransport>();
        using var harness = new Support.SenderHarness(transport, Substitute.For<INativeMailer>(), configure: null, Support.TestData.Business(smtp: Support.TestData.Account()));
        transport.SendAsync(default!, default!, default).ReturnsForAnyArgs(_ =>
        {
            harness.Time.Advance(TimeSpan.FromMilliseconds(1_500));
            return Task.FromResult(new DeliveryReceipt("smtp.paws.example:587"));
        });
        using var duration = new MetricCollector<double>(harness.Get<EmailTelemetry>().SendDuration);

        await harness.Sender.SendAsync(new OutgoingEmail("paws", EmailCategory.Quote, Support.TestData.Message()));

        duration.GetMeasurementSnapshot().Should().ContainSingle().Which.Value.Should().BeApproximately(1.5, 0.000_001);
        duration.Instrument!.Unit.Should().Be("s");
    }

    [Fact]
    public async Task No_tag_value_contains_an_address_or_a_business_id()
    {
        await using var good = await ScriptedSmtpServer.StartAsync(new());
        await using var limited = await ScriptedSmtpServer.StartAsync(new());
        limited.Script = context => context.Stage == SmtpStage.MailFrom ? ProviderReplies.Gmail.DailyLimitExceeded : null;
        await using var host = new EndToEndHost(_probe.Register);
        host.Settings.Set(EndToEndHost.Business("biz-good", good.CreateAccountSettings(Mailbox, Mailbox, Password)));
        host.Settings.Set(EndToEndHost.Business("biz-limited", limited.CreateAccountSettings("owner@limited.test", "owner@limited.test", Password)));
        host.Settings.Set(EndToEndHost.Business("biz-native", smtp: null));

        foreach (var category in Enum.GetValues<EmailCategory>())
        {
            await host.SendAsync("biz-good", category, 1, to: "alice@clients.example");
            await host.SendAsync("biz-limited", category, 2, to: "bob@clients.example");
            await host.SendAsync("biz-native", category, 3, to: "carol@clients.example");
        }

        var measurements = _probe.All;
        measurements.Select(m => m.Instrument).Should().Contain(["petsitter.email.sends", "petsitter.email.fallbacks", "petsitter.email.deferrals", "petsitter.email.smtp.failures"]);
        foreach (var (instrument, tags) in measurements)
        {
            foreach (var (key, value) in tags)
            {
                var text = Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
                text.Should().NotContain("@", $"{instrument} tag {key} must not carry an address");
                text.Should().NotStartWith("biz-", $"{instrument} tag {key} must not carry a business id");
            }
        }
    }

    [Fact]
    public void The_meter_comes_from_the_hosts_meter_factory_and_otherwise_is_the_librarys_own()
    {
        using var fromFactory = new EmailTelemetry(_probe.Factory, TimeProvider.System);
        var own = new EmailTelemetry(meterFactory: null, TimeProvider.System);

        fromFactory.Meter.Scope.Should().BeSameAs(_probe.Factory);
        fromFactory.Meter.Name.Should().Be("PetSitter.Email");
        own.Meter.Name.Should().Be("PetSitter.Email");
        own.Meter.Scope.Should().BeNull();

        using var collector = new MetricCollector<long>(own.Sends);
        own.Dispose();
        own.Sends.Enabled.Should().BeFalse("the library disposes a meter it made itself");
    }

    public void Dispose() => _probe.Dispose();

    /// <summary>Records the throttle's report of a wait the way the SMTP channel does.</summary>
    private sealed class RecordingObserver(EmailTelemetry telemetry) : IThrottleWaitObserver
    {
        public ValueTask AfterWaitAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public void Waited(LimitWindow window, TimeSpan waited, bool acquired) => telemetry.ThrottleWaited(window, waited, acquired);
    }
}
