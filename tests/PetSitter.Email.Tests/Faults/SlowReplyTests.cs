using Microsoft.Extensions.DependencyInjection;
using PetSitter.Email.Testing;
using PetSitter.Email.Tests.EndToEnd;

namespace PetSitter.Email.Tests.Faults;

/// <summary>
/// The server stops answering. Before the end of DATA the attempt timeout (on the library's clock, which
/// the test moves once the server has fallen silent) abandons the attempt as not sent and it is retried.
/// After the end of DATA the transport waits for the verdict for at most <see cref="SmtpTransportOptions.Timeout"/>
/// of real time and then reports the message uncertain.
/// </summary>
public sealed class SlowReplyTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    public static TheoryData<SmtpStage> StagesBeforeDelivery => new()
    {
        SmtpStage.Greeting,
        SmtpStage.Ehlo,
        SmtpStage.Authenticate,
        SmtpStage.MailFrom,
        SmtpStage.RcptTo,
        SmtpStage.Data,
    };

    [Theory]
    [MemberData(nameof(StagesBeforeDelivery))]
    public async Task A_reply_slower_than_the_attempt_timeout_abandons_the_attempt_and_the_retry_delivers_once(SmtpStage stage)
    {
        await using var server = await StageDropTests.StartServerAsync();
        var silenced = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var hits = new StageCounter(stage);
        server.Script = context =>
        {
            if (hits.Hit(context) != 1)
            {
                return null;
            }

            silenced.TrySetResult();
            return SmtpReply.Silence;
        };
        await using var host = StageDropTests.NewHost(server);

        var sending = host.SendAsync("paws", EmailCategory.Invoice, 1);
        await silenced.Task.WaitAsync(Guard);
        host.Time.Advance(host.Options<PetSitterEmailOptions>().Retry.AttemptTimeout);
        var outcome = await sending;

        outcome.Status.Should().Be(SendStatus.Sent, outcome.ToString());
        outcome.Channel.Should().Be(EmailChannel.Smtp);
        outcome.IsFallback.Should().BeFalse();
        server.Messages.Select(m => m.Message.MessageId).Should().Equal(EndToEndHost.MessageId(1));
        host.Native.SendAttempts.Should().Be(0);
        host.Health.GetHealth("paws").IsHealthy.Should().BeTrue();
    }

    [Fact]
    public async Task A_verdict_slower_than_the_smtp_timeout_leaves_the_message_uncertain_and_it_is_not_sent_again()
    {
        await using var server = await StageDropTests.StartServerAsync();
        var hits = new StageCounter(SmtpStage.AfterData);
        server.Script = context => hits.Hit(context) == 1 ? SmtpReply.Silence : null;

        // The one real-time wait of these tests: the wait for a verdict is bounded only by SmtpTimeout (1 s at least).
        await using var host = StageDropTests.NewHost(server, builder => builder.Services.Configure<PetSitterEmailOptions>(o => o.Smtp.Timeout = TimeSpan.FromSeconds(1)));

        var outcome = await host.SendAsync("paws", EmailCategory.Invoice, 1);
        var next = await host.SendAsync("paws", EmailCategory.Invoice, 2);

        outcome.Status.Should().Be(SendStatus.DeliveryUncertain, outcome.ToString());
        outcome.Channel.Should().Be(EmailChannel.Smtp);
        outcome.FailureKind.Should().Be(SmtpFailureKind.Transient);
        outcome.SmtpFailure!.Stage.Should().Be(SmtpStage.AfterData);
        outcome.MessageId.Should().Be(EndToEndHost.MessageId(1));
        next.Status.Should().Be(SendStatus.Sent);
        hits.Count.Should().Be(2, "the uncertain message was not retried");
        server.Messages.Select(m => m.Message.MessageId).Should().Equal(EndToEndHost.MessageId(1), EndToEndHost.MessageId(2));
        host.Native.SendAttempts.Should().Be(0);
        (await host.Queue.CountAsync(CancellationToken.None)).Should().Be(0);
    }
}
