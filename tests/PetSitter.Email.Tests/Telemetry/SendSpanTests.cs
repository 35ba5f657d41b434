using System.Diagnostics;
using PetSitter.Email.Testing;
using PetSitter.Email.Tests.EndToEnd;
using PetSitter.Email.Tests.Secrets;

namespace PetSitter.Email.Tests.Telemetry;

[Collection(TelemetryListeners.Name)]
public sealed class SendSpanTests : IDisposable
{
    private const string Mailbox = "hello@paws.test";
    private const string Password = TestSecrets.TelemetryPassword;

    private readonly ActivityRecorder _spans = new();
    private readonly string _business = $"span-{Guid.NewGuid():N}";

    [Fact]
    public async Task A_sent_email_has_one_span_with_its_business_category_channel_and_outcome_and_no_address_or_subject()
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new());
        await using var host = new EndToEndHost();
        host.Settings.Set(EndToEndHost.Business(_business, server.CreateAccountSettings(Mailbox, Mailbox, Password)));

        await host.SendAsync(_business, EmailCategory.Invoice, 7, to: "alice@clients.example");

        var span = _spans.For(_business).Should().ContainSingle().Subject;
        span.OperationName.Should().Be("petsitter.email.send");
        span.Source.Name.Should().Be("PetSitter.Email");
        span.Status.Should().Be(ActivityStatusCode.Unset);
        span.TagObjects.Should().BeEquivalentTo(new Dictionary<string, object?>
        {
            ["petsitter.email.business_id"] = _business,
            ["petsitter.email.category"] = "Invoice",
            ["petsitter.email.resend"] = false,
            ["petsitter.email.channel"] = "Smtp",
            ["petsitter.email.planned_channel"] = "Smtp",
            ["petsitter.email.outcome"] = "Sent",
            ["petsitter.email.fallback"] = false,
        });
        foreach (var (key, value) in span.TagObjects)
        {
            var text = value?.ToString() ?? string.Empty;
            text.Should().NotContain("@", $"tag {key} must not carry an address or Message-ID");
            text.Should().NotContain("Invoice #", $"tag {key} must not carry the subject");
        }
    }

    [Fact]
    public async Task A_failed_send_ends_its_span_with_error_status_and_the_failure_kind()
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new());
        server.Script = context => context.Stage == SmtpStage.RcptTo ? new SmtpReply(550, "5.1.1 The email account that you tried to reach does not exist.") : null;
        await using var host = new EndToEndHost();
        host.Settings.Set(EndToEndHost.Business(_business, server.CreateAccountSettings(Mailbox, Mailbox, Password)));

        var outcome = await host.SendAsync(_business, EmailCategory.Invoice, 1, to: "nobody@clients.example");

        outcome.Status.Should().Be(SendStatus.Failed);
        var span = _spans.For(_business).Should().ContainSingle().Subject;
        span.Status.Should().Be(ActivityStatusCode.Error);
        span.StatusDescription.Should().Be("Failed: RecipientRejected");
        span.GetTagItem("error.type").Should().Be("RecipientRejected");
        span.GetTagItem("petsitter.email.outcome").Should().Be("Failed");
    }

    [Fact]
    public async Task A_fallback_span_names_the_planned_and_the_actual_channel_and_marks_the_fallback()
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new() { UserName = Mailbox, Password = TestSecrets.SecondPassword });
        await using var host = new EndToEndHost();
        host.Settings.Set(EndToEndHost.Business(_business, server.CreateAccountSettings(Mailbox, Mailbox, Password)));

        await host.SendAsync(_business, EmailCategory.Quote, 1);

        var span = _spans.For(_business).Should().ContainSingle().Subject;
        span.Status.Should().Be(ActivityStatusCode.Unset, "the fallback delivered the quote");
        span.GetTagItem("petsitter.email.planned_channel").Should().Be("Smtp");
        span.GetTagItem("petsitter.email.channel").Should().Be("Native");
        span.GetTagItem("petsitter.email.fallback").Should().Be(true);
        span.GetTagItem("error.type").Should().Be("AuthenticationFailed");
        span.Events.Select(e => e.Name).Should().Equal("fallback");
    }

    [Fact]
    public async Task A_send_that_throws_ends_its_span_with_error_and_the_exception_type_only()
    {
        await using var host = new EndToEndHost();

        var send = () => host.SendAsync(_business, EmailCategory.Invoice, 1);

        await send.Should().ThrowAsync<EmailSettingsException>();
        var span = _spans.For(_business).Should().ContainSingle().Subject;
        span.Status.Should().Be(ActivityStatusCode.Error);
        span.StatusDescription.Should().Be(typeof(EmailSettingsException).FullName);
        span.GetTagItem("error.type").Should().Be(typeof(EmailSettingsException).FullName);
    }

    [Fact]
    public async Task A_send_that_waits_for_its_send_limit_records_the_wait_on_its_span()
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new());
        await using var host = new EndToEndHost(builder => builder.ConfigureSendLimits(options => options.MaxThrottleWait = TimeSpan.FromSeconds(2)));
        var account = EndToEndHost.With(server.CreateAccountSettings(Mailbox, Mailbox, Password), limits: new SendLimits { MessagesPerSecond = 1 });
        host.Settings.Set(EndToEndHost.Business(_business, account));
        await host.SendAsync(_business, EmailCategory.Invoice, 1);

        // Everything before the throttle answers at once, so its wait is on the library's clock when SendAsync returns.
        var second = host.SendAsync(_business, EmailCategory.Invoice, 2);
        second.IsCompleted.Should().BeFalse("the next per-second slot is about a second away");
        host.Time.Advance(TimeSpan.FromMilliseconds(1_100));

        (await second).Status.Should().Be(SendStatus.Sent);
        var spans = _spans.For(_business);
        spans.Should().HaveCount(2);
        spans[0].GetTagItem("petsitter.email.throttle.wait").Should().BeNull();
        spans[1].GetTagItem("petsitter.email.throttle.wait").Should().BeOfType<double>().Which.Should().BeInRange(1.0, 1.1);
    }

    public void Dispose() => _spans.Dispose();
}
