using System.Collections.Concurrent;
using System.Diagnostics;
using PetSitter.Email.Testing;
using PetSitter.Email.Tests.Secrets;

namespace PetSitter.Email.Tests.EndToEnd;

/// <summary>
/// A provider counts what reaches it, so a send window is charged right before MAIL FROM on a connected,
/// signed-in connection, not when a send is admitted: however long connect, TLS and sign-in take, the MAIL FROM
/// commands of one account never exceed a window. Measured at the server, on the real clock.
/// </summary>
[Collection(nameof(WireSendLimitTests))]
public sealed class WireSendLimitTests
{
    private const string User = "paws@remote.test";
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan StampSlack = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan ThrottleBound = TimeSpan.FromSeconds(4);

    [Fact]
    public async Task Mail_from_never_exceeds_the_per_second_limit_at_a_server_slow_to_greet_and_sign_in()
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new() { ServerName = "smtp.remote.test" });

        // A provider across the internet: greeting, EHLO and AUTH take 100-400 ms, differently on each connection.
        server.ReplyDelay = context => context.Stage is SmtpStage.Greeting or SmtpStage.Ehlo or SmtpStage.Authenticate
            ? TimeSpan.FromMilliseconds(100 + (context.ConnectionId * 137 % 301))
            : TimeSpan.Zero;
        var mailFrom = new ConcurrentQueue<long>();
        server.Script = context =>
        {
            if (context.Stage == SmtpStage.MailFrom && context.Address == User)
            {
                mailFrom.Enqueue(Stopwatch.GetTimestamp());
            }

            return null;
        };
        // The throttle's bound counts from admission, and sign-in here alone takes up to 1.2 s (more on a loaded
        // runner), while the third MAIL FROM's slot lies a second after the first. A two-second bound let only two
        // through on CI's 2-core runner; four leaves room for the third whatever the runner's speed.
        await using var host = new RealClockHost(ThrottleBound);
        var account = EndToEndHost.With(server.CreateAccountSettings(User, User, TestSecrets.RightPassword), limits: new SendLimits { MessagesPerSecond = 2 });
        host.Settings.Set(EndToEndHost.Business("paws", account));

        // Another mailbox's send first, so the first MAIL FROM measured is not slowed by compiling the send path.
        host.Settings.Set(EndToEndHost.Business("warm", server.CreateAccountSettings("warm@remote.test", "warm@remote.test", TestSecrets.OwnerPassword)));
        (await host.SendAsync("warm", EmailCategory.Marketing, 99)).Status.Should().Be(SendStatus.Sent);

        // Two senders (a campaign and a reminder job) each hand over ten marketing messages at once.
        var senders = Enumerable.Range(0, 2).Select(sender => Task.WhenAll(
            Enumerable.Range(sender * 10, 10).Select(n => host.SendAsync("paws", EmailCategory.Marketing, n))));
        var outcomes = (await Task.WhenAll(senders)).SelectMany(batch => batch).ToList();
        outcomes.Should().HaveCount(20);

        // The library counts a send right before it writes MAIL FROM; the server stamps it when it handles the
        // command. Between the two, a loaded 2-core machine adds scheduling delays of its own (12 ms measured
        // between two adjacent statements of the script): a window of one second less that slack is what the
        // stamps can show. Counting at admission instead put three MAIL FROM within 0.74 s here.
        var times = mailFrom.Order().ToList();
        for (var i = 0; i + 2 < times.Count; i++)
        {
            Stopwatch.GetElapsedTime(times[i], times[i + 2]).Should().BeGreaterThanOrEqualTo(
                Window - StampSlack, "MAIL FROM #{0}, #{1} and #{2} would be three in one second on a 2/s account", i, i + 1, i + 2);
        }

        outcomes.Should().OnlyContain(o => o.Status == SendStatus.Sent || o.Status == SendStatus.Deferred, "a refused slot defers marketing, nothing fails");
        outcomes.Select(o => o.MessageId).Should().BeEquivalentTo(
            Enumerable.Range(0, 20).Select(EndToEndHost.MessageId), "each of the twenty ends in exactly one outcome");
        var sent = outcomes.Where(o => o.Status == SendStatus.Sent).ToList();
        sent.Should().OnlyContain(o => o.Channel == EmailChannel.Smtp && !o.IsFallback);
        sent.Should().HaveCountGreaterThanOrEqualTo(3, "the bound leaves time for a second window after sign-in, so the check above compares three");
        times.Should().HaveCount(sent.Count, "only the sends that went out reached MAIL FROM");
        server.Messages.Select(m => m.Message.MessageId).Should().BeEquivalentTo(sent.Select(o => o.MessageId).Append(EndToEndHost.MessageId(99)));
        (await host.Queue.CountAsync(CancellationToken.None)).Should().Be(20 - sent.Count);
        host.Native.SendAttempts.Should().Be(0, "marketing never spends the platform's reputation");
    }
}

/// <summary>
/// Runs alone: the server's timestamps are taken when it handles MAIL FROM, and other tests' threads on a busy
/// 2-core machine would add their scheduling delays to what is measured.
/// </summary>
[CollectionDefinition(nameof(WireSendLimitTests), DisableParallelization = true)]
public sealed class WireSendLimitGroup;
