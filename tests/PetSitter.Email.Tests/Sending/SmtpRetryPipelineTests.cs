using NSubstitute;
using Polly;
using PetSitter.Email.Tests.Support;

namespace PetSitter.Email.Tests.Sending;

public sealed class SmtpRetryPipelineTests
{
    [Theory]
    [InlineData(SmtpStage.MailFrom, 421, "4.3.0 Temporary System Problem. Try again later", true)]
    [InlineData(SmtpStage.Data, 451, "4.3.0 Mail server temporarily rejected message.", true)]
    [InlineData(SmtpStage.MailFrom, 432, "4.3.2 Concurrent connections limit exceeded.", true)]
    [InlineData(SmtpStage.AfterData, null, "The SMTP server has unexpectedly disconnected.", false)]
    [InlineData(SmtpStage.Authenticate, 535, "5.7.8 Username and Password not accepted.", false)]
    [InlineData(SmtpStage.MailFrom, 550, "5.4.5 Daily user sending limit exceeded. - gsmtp", false)]
    [InlineData(SmtpStage.MailFrom, 421, "4.7.0 Try again later, closing connection.", false)]
    [InlineData(SmtpStage.MailFrom, 450, "Mail send limit exceeded.", false)]
    [InlineData(SmtpStage.RcptTo, 550, "5.1.1 The email account that you tried to reach does not exist.", false)]
    public void Only_transient_failures_before_the_server_could_have_the_message_are_retried(SmtpStage stage, int? code, string reply, bool retried) =>
        SmtpRetryPipeline.IsWorthRetrying(new SmtpTransportException(stage, code, reply), SmtpFailureClassifier.Classify(new SmtpTransportException(stage, code, reply))).Should().Be(retried);

    [Fact]
    public async Task An_attempt_that_outlives_the_attempt_timeout_is_not_sent_and_the_invoice_goes_native()
    {
        var entered = new SemaphoreSlim(0);
        var smtp = Substitute.For<ISmtpTransport>();
        smtp.SendAsync(default!, default!, default).ReturnsForAnyArgs(async call =>
        {
            entered.Release();
            await Task.Delay(Timeout.InfiniteTimeSpan, TimeProvider.System, call.Arg<CancellationToken>());
            return new DeliveryReceipt("never");
        });
        var native = Substitute.For<INativeMailer>();
        native.SendAsync(default!, default).ReturnsForAnyArgs(new DeliveryReceipt("/pickup/1.eml"));
        using var harness = new SenderHarness(
            smtp,
            native,
            options =>
            {
                options.Smtp.Timeout = TimeSpan.FromSeconds(5);
                options.Retry.AttemptTimeout = TimeSpan.FromSeconds(10);
            },
            TestData.Business(smtp: TestData.Account()));

        var sending = harness.Sender.SendAsync(new OutgoingEmail("paws", EmailCategory.Invoice, TestData.Message()));
        (await entered.WaitAsync(TimeSpan.FromSeconds(20))).Should().BeTrue("the transport was called");
        harness.Time.Advance(TimeSpan.FromSeconds(11));
        var outcome = await sending.WaitAsync(TimeSpan.FromSeconds(20));

        outcome.Status.Should().Be(SendStatus.Sent);
        outcome.Channel.Should().Be(EmailChannel.Native);
        outcome.IsFallback.Should().BeTrue();
        outcome.SmtpFailure!.Reply.Should().Contain("attempt timeout");
        await smtp.ReceivedWithAnyArgs(1).SendAsync(default!, default!, default);
    }

    [Fact]
    public async Task The_retry_predicate_classifies_a_failure_once_with_the_accounts_host_and_the_channel_reports_that_failure()
    {
        using var harness = new SenderHarness(Substitute.For<ISmtpTransport>(), Substitute.For<INativeMailer>(), options => options.Retry.MaxRetryAttempts = 2);
        var pipeline = harness.Get<SmtpRetryPipeline>().Pipeline;

        // Gmail's wrong-password reply (the "wrong password" row of /work/shared/providers.md) without its
        // "Learn more at https://support.google.com/mail/?p=BadCredentials" tail: only the account's host says it is Gmail's.
        var refused = new SmtpTransportException(SmtpStage.Authenticate, 535, "5.7.8 Username and Password not accepted.");
        var context = ResilienceContextPool.Shared.Get();
        context.Properties.Set(SmtpRetryPipeline.Account, TestData.Account(host: "smtp.gmail.com"));
        try
        {
            var attempts = 0;
            await FluentActions.Awaiting(() => pipeline.ExecuteAsync<DeliveryReceipt>(
                    _ =>
                    {
                        attempts++;
                        throw refused;
                    },
                    context).AsTask())
                .Should().ThrowAsync<SmtpTransportException>();

            attempts.Should().Be(1, "a wrong password is not retried");
            context.Properties.TryGetValue(SmtpRetryPipeline.Failure, out var decided).Should().BeTrue("the retry predicate classified the failure");
            decided!.RuleName.Should().Be("gmail-bad-password-host", "the predicate classified with the account's host");
            SmtpRetryPipeline.Classify(context, refused).Should().BeSameAs(decided, "the channel reports the failure the retry was decided on, not a second reading");
            SmtpRetryPipeline.Classify(context, new SmtpTransportException(SmtpStage.Connect, null, "Connection refused"))
                .Should().NotBeSameAs(decided, "another exception is classified on its own");
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }
}
