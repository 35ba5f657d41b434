using PetSitter.Email.Testing;
using PetSitter.Email.Tests.Secrets;
using PetSitter.Email.Tests.Support;

namespace PetSitter.Email.Tests.Limits;

/// <summary>
/// Which window refused a send, read as data from the outcome (issue 11, item 4), through the public API
/// only: a consumer's container with the Testing package's test clock, real SMTP on loopback.
/// </summary>
public sealed class LimitWindowReportTests
{
    [Fact]
    public async Task A_burst_over_the_Gmail_presets_per_second_limit_reports_MessagesPerSecond_with_no_throttle_wait()
    {
        await using var server = await ScriptedSmtpServer.StartAsync();
        await using var host = new ConsumerHost();
        host.Business(ConsumerHost.Account(server, provider: "Gmail"));

        var outcomes = new List<SendOutcome>();
        for (var i = 1; i <= 3; i++)
        {
            // MaxThrottleWait is zero (UseTestClock): the clock never moves, so the third is refused at once.
            outcomes.Add(await host.SendAsync(EmailCategory.General, i));
        }

        outcomes.Take(2).Should().OnlyContain(o => o.Status == SendStatus.Sent && o.Channel == EmailChannel.Smtp && o.LimitWindow == null);
        var refused = outcomes[2];
        refused.Channel.Should().Be(EmailChannel.Native, refused.ToString());
        refused.IsFallback.Should().BeTrue();
        refused.FailureKind.Should().Be(SmtpFailureKind.SendLimitReached);
        refused.LimitWindow.Should().Be(LimitWindow.MessagesPerSecond);
        refused.SmtpFailure!.LimitWindow.Should().Be(LimitWindow.MessagesPerSecond);
        server.Messages.Should().HaveCount(2);
    }

    [Fact]
    public async Task An_account_past_its_own_daily_count_reports_MessagesPerDay_and_so_does_the_next_send_the_breaker_holds()
    {
        await using var server = await ScriptedSmtpServer.StartAsync();
        await using var host = new ConsumerHost();
        host.Business(ConsumerHost.Account(server, provider: "Gmail", limits: new SendLimits { MessagesPerDay = 2 }));

        var sent = new List<SendOutcome>();
        for (var i = 1; i <= 2; i++)
        {
            sent.Add(await host.SendAsync(EmailCategory.General, i));
            host.Clock.Advance(TimeSpan.FromSeconds(2)); // past the preset's per-second window
        }

        var deferred = await host.SendAsync(EmailCategory.Marketing, 3);
        var held = await host.SendAsync(EmailCategory.Invoice, 4);

        sent.Should().OnlyContain(o => o.Status == SendStatus.Sent && o.Channel == EmailChannel.Smtp);
        deferred.Status.Should().Be(SendStatus.Deferred, deferred.ToString());
        deferred.LimitWindow.Should().Be(LimitWindow.MessagesPerDay);
        held.Channel.Should().Be(EmailChannel.Native, held.ToString());
        held.LimitWindow.Should().Be(LimitWindow.MessagesPerDay);
        server.Messages.Should().HaveCount(2);
    }

    [Fact]
    public async Task Gmails_daily_limit_reply_reports_MessagesPerDay()
    {
        await using var server = await ScriptedSmtpServer.StartAsync();

        // 550-5.4.5 Daily user sending limit exceeded (https://support.google.com/a/answer/166852), shared/providers.md.
        server.Script = context => context.Stage == SmtpStage.MailFrom ? ProviderReplies.Gmail.DailyLimitExceeded : null;
        await using var host = new ConsumerHost();
        host.Business(ConsumerHost.Account(server));

        var outcome = await host.SendAsync(EmailCategory.Invoice, 1);

        outcome.Channel.Should().Be(EmailChannel.Native, outcome.ToString());
        outcome.FailureKind.Should().Be(SmtpFailureKind.SendLimitReached);
        outcome.LimitWindow.Should().Be(LimitWindow.MessagesPerDay);
        outcome.SmtpFailure!.StatusCode.Should().Be(550);
        outcome.SmtpFailure.ResetsAfter.Should().Be(TimeSpan.FromHours(24));
    }

    [Fact]
    public async Task A_message_over_the_presets_recipients_per_message_cap_reports_RecipientsPerMessage_and_reaches_no_server()
    {
        await using var server = await ScriptedSmtpServer.StartAsync();
        await using var host = new ConsumerHost();
        host.Business(ConsumerHost.Account(server, provider: "Gmail"));
        var message = ConsumerHost.WithRecipients(Tests.EndToEnd.EndToEndHost.Message(1, EmailCategory.General), 101);

        var outcome = await host.SendAsync(new OutgoingEmail("paws", EmailCategory.General, message));

        outcome.FailureKind.Should().Be(SmtpFailureKind.SendLimitReached, outcome.ToString());
        outcome.LimitWindow.Should().Be(LimitWindow.RecipientsPerMessage);
        server.ConnectionsOpened.Should().Be(0);
    }

    [Fact]
    public async Task A_providers_too_many_recipients_reply_reports_RecipientsPerMessage()
    {
        await using var server = await ScriptedSmtpServer.StartAsync();

        // 452 4.5.3 Your message has too many recipients (https://support.google.com/mail/answer/6592), shared/providers.md.
        server.Script = context => context.Stage == SmtpStage.RcptTo ? ProviderReplies.Gmail.TooManyRecipients : null;
        await using var host = new ConsumerHost();
        host.Business(ConsumerHost.Account(server));

        var outcome = await host.SendAsync(EmailCategory.General, 1);

        outcome.FailureKind.Should().Be(SmtpFailureKind.SendLimitReached, outcome.ToString());
        outcome.LimitWindow.Should().Be(LimitWindow.RecipientsPerMessage);
    }

    [Fact]
    public async Task A_quota_reply_that_names_no_window_reports_none_but_still_says_when_it_resets()
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new() { ServerName = "smtp.office365.test" });

        // 554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException, shared/providers.md (Microsoft 365).
        server.Script = context => context.Stage == SmtpStage.AfterData ? ProviderReplies.Microsoft365.SubmissionQuotaExceeded : null;
        await using var host = new ConsumerHost();
        host.Business(ConsumerHost.Account(server));

        var outcome = await host.SendAsync(EmailCategory.Invoice, 1);

        outcome.FailureKind.Should().Be(SmtpFailureKind.SendLimitReached, outcome.ToString());
        outcome.LimitWindow.Should().BeNull("Microsoft's reply does not say which window");
        outcome.SmtpFailure!.ResetsAfter.Should().Be(TimeSpan.FromHours(24));
    }

    [Fact]
    public async Task A_wrong_password_reports_no_window()
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new() { UserName = "owner@paws.example", Password = TestSecrets.RightPassword });
        await using var host = new ConsumerHost();
        host.Business(ConsumerHost.Account(server, provider: "Gmail"));

        var outcome = await host.SendAsync(EmailCategory.Invoice, 1);

        outcome.FailureKind.Should().Be(SmtpFailureKind.AuthenticationFailed, outcome.ToString());
        outcome.LimitWindow.Should().BeNull();
    }

    [Theory]
    [InlineData("550 5.4.5 Daily sending quota exceeded", LimitWindow.MessagesPerDay)] // Gmail's older wording, shared/providers.md
    [InlineData("550 5.7.1 owner@icloud.com: You have exceeded your daily sending limit. Please try again later.", LimitWindow.MessagesPerDay)] // iCloud, shared/providers.md
    [InlineData("450 Mail send limit exceeded.", null)] // IONOS, shared/providers.md: counted by the hour, but the reply does not say so
    [InlineData("421 4.7.0 Try again later, closing connection.", null)] // Gmail's throttle, shared/providers.md
    [InlineData("550 5.5.3 RESOLVER.ADR.RecipLimit; too many recipients", LimitWindow.RecipientsPerMessage)] // Microsoft 365, shared/providers.md
    public void A_provider_reply_names_a_window_only_when_its_words_do(string reply, LimitWindow? expected)
    {
        var parsed = SmtpReply.Parse(reply);
        var exception = new SmtpTransportException(SmtpStage.MailFrom, parsed.Code, parsed.Text);

        var failure = SmtpFailureClassifier.Classify(exception);

        failure.Kind.Should().Be(SmtpFailureKind.SendLimitReached, failure.ToString());
        failure.LimitWindow.Should().Be(expected);
    }

    [Fact]
    public void A_failure_cannot_name_None_as_its_window()
    {
        var act = () => new SmtpFailure(SmtpFailureKind.SendLimitReached, true, true, "Wait.") { LimitWindow = LimitWindow.None };

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("value");
    }
}
