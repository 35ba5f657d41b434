using PetSitter.Email.Testing;
using PetSitter.Email.Tests.Support;

namespace PetSitter.Email.Tests.Sending;

/// <summary>
/// A consumer's test drives the library's clock (issue 11, item 4). Found with the default options: a send
/// over a per-second limit sleeps on the injected clock (the test hangs until it moves it 1.04 s: the
/// window counts whole 40 ms buckets); and moving the clock past <see cref="SmtpRetryOptions.AttemptTimeout"/>
/// while a send is at the server abandons that attempt, whose retry then sleeps
/// <see cref="SmtpRetryOptions.Delay"/> on the same clock: the send never ends unless the test moves
/// the clock again. The Testing package's <c>UseTestClock</c> sets both waits to zero.
/// </summary>
public sealed class TestClockTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task With_the_test_clock_a_send_at_the_server_when_the_clock_jumps_past_the_attempt_timeout_is_retried_at_once_and_sent_once()
    {
        await using var server = await ScriptedSmtpServer.StartAsync();
        using var atServer = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var first = 0;
        server.Script = context =>
        {
            if (context.Stage == SmtpStage.MailFrom && Interlocked.Exchange(ref first, 1) == 0)
            {
                // The first try stays at MAIL FROM while the test moves the clock on (bounded, so a bug fails rather than hangs).
                atServer.Set();
                release.Wait(Guard);
            }

            return null;
        };
        await using var host = new ConsumerHost();
        host.Business(ConsumerHost.Account(server, provider: "Gmail"));

        var sending = host.SendAsync(EmailCategory.Invoice, 1);
        atServer.Wait(Guard).Should().BeTrue("the first try reached MAIL FROM");
        host.Clock.Advance(TimeSpan.FromMinutes(5));
        release.Set();
        var outcome = await sending.WaitAsync(Guard);

        outcome.Status.Should().Be(SendStatus.Sent, outcome.ToString());
        outcome.Channel.Should().Be(EmailChannel.Smtp, "the abandoned try was retried at once, with no further move of the clock");
        server.Messages.Select(m => m.Message.MessageId).Should().Equal(outcome.MessageId);
        server.ConnectionsOpened.Should().Be(2, "the abandoned try's connection was dropped and the retry opened another");
    }
}
