using Microsoft.Extensions.Hosting;
using PetSitter.Email.Testing;
using PetSitter.Email.Tests.Support;

namespace PetSitter.Email.Tests.Deferral;

/// <summary>
/// <see cref="IDeferredEmailDispatcher"/> as an app (or its tests) uses it: resolved from the container, no
/// host started, no poll interval waited for (issue 11, item 4).
/// </summary>
public sealed class DeferredEmailDispatcherPublicApiTests
{
    private volatile bool _quotaUsedUp = true;

    [Fact]
    public async Task Deferred_marketing_goes_out_when_the_app_dispatches_after_the_providers_day_resets()
    {
        await using var server = await StartGmailOverItsDailyLimitAsync();
        await using var host = new ConsumerHost();
        host.Business(ConsumerHost.Account(server));

        var deferred = await host.SendAsync(EmailCategory.Marketing, 1);
        var early = await host.DispatchDueAsync();
        host.Clock.Advance(TimeSpan.FromHours(24));
        _quotaUsedUp = false;
        var due = await host.DispatchDueAsync();
        var after = await host.DispatchDueAsync();

        deferred.Status.Should().Be(SendStatus.Deferred, deferred.ToString());
        deferred.DeferredUntil.Should().Be(ConsumerHost.Start + TimeSpan.FromHours(24));
        early.Taken.Should().Be(0, "nothing is due before the provider's day resets");
        due.Taken.Should().Be(1);
        due.Sent.Should().Be(1);
        (due.Deferred, due.Failed, due.DeliveryUncertain).Should().Be((0, 0, 0));
        after.Taken.Should().Be(0, "a sent email is not handed out again");
        server.Messages.Select(m => m.Message.MessageId).Should().Equal(deferred.MessageId);
        host.Outcomes.Outcomes.Should().ContainSingle().Which.Should().Match<SendOutcome>(o =>
            o.Status == SendStatus.Sent && o.Channel == EmailChannel.Smtp && o.MessageId == deferred.MessageId);
        (await host.Get<IDeferredEmailQueue>().CountAsync(CancellationToken.None)).Should().Be(0);
    }

    [Fact]
    public async Task A_due_email_the_account_still_cannot_send_is_counted_deferred_and_then_failed_when_the_tries_run_out()
    {
        await using var server = await StartGmailOverItsDailyLimitAsync();
        await using var host = new ConsumerHost(builder => builder.ConfigureFallback(options => options.MaxDeferredAttempts = 2));
        host.Business(ConsumerHost.Account(server));

        var deferred = await host.SendAsync(EmailCategory.Marketing, 1);
        host.Clock.Advance(TimeSpan.FromHours(24));
        var first = await host.DispatchDueAsync();
        host.Clock.Advance(TimeSpan.FromHours(24));
        var second = await host.DispatchDueAsync();

        deferred.Status.Should().Be(SendStatus.Deferred);
        (first.Taken, first.Deferred, first.Sent, first.Failed).Should().Be((1, 1, 0, 0), first.ToString());
        (second.Taken, second.Failed, second.Sent, second.Deferred).Should().Be((1, 1, 0, 0), second.ToString());
        host.Outcomes.Outcomes.Should().ContainSingle().Which.Status.Should().Be(SendStatus.Failed);
        host.Outcomes.Outcomes[0].LimitWindow.Should().Be(LimitWindow.MessagesPerDay, "the give-up keeps the provider's reason");
        server.Messages.Should().BeEmpty();
    }

    [Fact]
    public async Task A_held_email_whose_business_settings_became_unusable_fails_once_naming_the_settings_problem_and_keeps_the_providers_reason()
    {
        await using var server = await StartGmailOverItsDailyLimitAsync();
        await using var host = new ConsumerHost();
        var account = ConsumerHost.Account(server);
        host.Business(account);
        var deferred = await host.SendAsync(EmailCategory.Marketing, 1);

        // While the email waits, the owner saves a reply-to address that is not one: the business's settings no longer load.
        host.Settings.Set(new BusinessEmailSettings { BusinessId = "paws", BusinessName = "Business paws", ReplyToAddress = "office at paws.example", Smtp = account });
        host.Clock.Advance(TimeSpan.FromHours(24));
        _quotaUsedUp = false;
        var due = await host.DispatchDueAsync();
        var after = await host.DispatchDueAsync();

        deferred.Status.Should().Be(SendStatus.Deferred, deferred.ToString());
        (due.Taken, due.Failed, due.Sent, due.Deferred).Should().Be((1, 1, 0, 0), due.ToString());
        after.Taken.Should().Be(0, "a failed email is settled, not handed out again");
        var failed = host.Outcomes.Outcomes.Should().ContainSingle().Subject;
        failed.Status.Should().Be(SendStatus.Failed);
        failed.MessageId.Should().Be(deferred.MessageId);
        failed.Reason.Should().StartWith("The deferred email could not be sent: ")
            .And.Contain("ReplyToAddress 'office at paws.example' is not an email address", "the owner is told what to fix");
        failed.SmtpFailure.Should().NotBeNull("the provider's last answer is kept with the outcome");
        failed.SmtpFailure!.Reply.Should().Be(deferred.SmtpFailure!.Reply);
        failed.LimitWindow.Should().Be(LimitWindow.MessagesPerDay);
        server.Messages.Should().BeEmpty();
        (await host.Get<IDeferredEmailQueue>().CountAsync(CancellationToken.None)).Should().Be(0);
    }

    [Fact]
    public async Task The_dispatcher_the_app_resolves_is_the_hosted_one()
    {
        await using var host = new ConsumerHost();

        var dispatcher = host.Dispatcher;

        host.Get<IEnumerable<IHostedService>>().Should().ContainSingle().Which.Should().BeSameAs(dispatcher);
        (await host.DispatchDueAsync()).Taken.Should().Be(0);
    }

    [Fact]
    public async Task A_cancelled_dispatch_throws()
    {
        await using var host = new ConsumerHost();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var act = () => host.Dispatcher.DispatchDueAsync(cancelled.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
    }

    /// <summary>Gmail refusing MAIL FROM with its daily limit until the test says the day has reset.</summary>
    private async Task<ScriptedSmtpServer> StartGmailOverItsDailyLimitAsync()
    {
        var server = await ScriptedSmtpServer.StartAsync();

        // 550-5.4.5 Daily user sending limit exceeded (https://support.google.com/a/answer/166852), shared/providers.md.
        server.Script = context => context.Stage == SmtpStage.MailFrom && _quotaUsedUp ? ProviderReplies.Gmail.DailyLimitExceeded : null;
        return server;
    }
}
