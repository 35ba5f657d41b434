using PetSitter.Email.Testing;
using PetSitter.Email.Tests.Secrets;

namespace PetSitter.Email.Tests.EndToEnd;

/// <summary>
/// A mailbox whose server keeps answering 421 at the greeting: one such send is a passing glitch, five within
/// ten minutes make the account unavailable (breaker open, the usual probes), and a connection that gets in
/// starts the count again.
/// </summary>
public sealed class GreetingRefusalTests
{
    private const string Mailbox = "hello@paws.test";

    // Gmail's temporary refusal, from the project's provider notes (shared/providers.md, "temporary":
    // "421 4.3.0 Temporary System Problem. Try again later"). A 421 closes the connection after it.
    private static readonly SmtpReply TemporaryProblem = new(421, "4.3.0 Temporary System Problem. Try again later");

    [Fact]
    public async Task A_single_421_at_the_greeting_stays_transient()
    {
        await using var world = await GreetingWorld.StartAsync();
        world.Refuse = true;

        var outcome = await world.Host.SendAsync("paws", EmailCategory.Invoice, 1);

        outcome.FailureKind.Should().Be(SmtpFailureKind.Transient, outcome.ToString());
        outcome.Channel.Should().Be(EmailChannel.Native, "the invoice gets through");
        world.Greetings.Should().Be(3, "the send was retried twice before its fallback");
        world.Host.Health.GetHealth("paws").IsHealthy.Should().BeTrue("one refused connection says nothing about the mailbox");
    }

    [Fact]
    public async Task Five_sends_refused_at_the_greeting_within_ten_minutes_make_the_account_unavailable()
    {
        await using var world = await GreetingWorld.StartAsync();
        world.Refuse = true;
        for (var n = 1; n <= 5; n++)
        {
            (await world.Host.SendAsync("paws", EmailCategory.Invoice, n)).FailureKind.Should().Be(SmtpFailureKind.Transient);
            world.Host.Health.GetHealth("paws").IsHealthy.Should().Be(n < 5, "send {0} of 5", n);
            world.Host.Time.Advance(TimeSpan.FromMinutes(n < 5 ? 2 : 0));
        }

        var health = world.Host.Health.GetHealth("paws");
        health.State.Should().Be(AccountHealthState.Failing);
        health.Kind.Should().Be(SmtpFailureKind.AccountUnavailable);
        health.Advice.Should().Contain("421").And.Contain("webmail");
        health.Until.Should().Be(world.Host.Time.GetUtcNow() + new AccountHealthOptions().InitialProbeInterval, "the usual first probe");

        // The breaker is open: nothing connects until the probe is due, and each category takes its fallback.
        var connections = world.Server.ConnectionsOpened;
        var invoice = await world.Host.SendAsync("paws", EmailCategory.Invoice, 6);
        var marketing = await world.Host.SendAsync("paws", EmailCategory.Marketing, 7);

        invoice.Channel.Should().Be(EmailChannel.Native);
        invoice.FailureKind.Should().Be(SmtpFailureKind.AccountUnavailable);
        marketing.Status.Should().Be(SendStatus.Deferred);
        marketing.FailureKind.Should().Be(SmtpFailureKind.AccountUnavailable);
        world.Server.ConnectionsOpened.Should().Be(connections, "an open breaker does not knock again");

        // The mailbox answers again: the probe goes through and closes the breaker.
        world.Refuse = false;
        world.Host.Time.Advance(new AccountHealthOptions().InitialProbeInterval);
        var probe = await world.Host.SendAsync("paws", EmailCategory.Invoice, 8);

        probe.Channel.Should().Be(EmailChannel.Smtp, probe.ToString());
        world.Host.Health.GetHealth("paws").IsHealthy.Should().BeTrue();
    }

    [Fact]
    public async Task A_connection_that_gets_in_starts_the_count_again()
    {
        await using var world = await GreetingWorld.StartAsync();
        for (var n = 1; n <= 9; n++)
        {
            world.Refuse = n != 5;
            var outcome = await world.Host.SendAsync("paws", EmailCategory.Invoice, n);
            if (n == 5)
            {
                outcome.Channel.Should().Be(EmailChannel.Smtp, outcome.ToString());

                // Past the idle timeout, so the next send opens a new connection and meets the greeting again.
                world.Host.Time.Advance(new PetSitterEmailOptions().Smtp.ConnectionIdleTimeout + TimeSpan.FromSeconds(1));
            }
        }

        world.Host.Health.GetHealth("paws").IsHealthy.Should().BeTrue("never five refused sends without one that got in");
        world.Greetings.Should().Be(8 * 3, "every refused send met the greeting three times");
        world.Server.Messages.Should().ContainSingle().Which.Message.MessageId.Should().Be(EndToEndHost.MessageId(5));
    }

    [Fact]
    public async Task Refusals_spread_over_more_than_ten_minutes_stay_transient()
    {
        await using var world = await GreetingWorld.StartAsync();
        world.Refuse = true;
        for (var n = 1; n <= 6; n++)
        {
            (await world.Host.SendAsync("paws", EmailCategory.Invoice, n)).FailureKind.Should().Be(SmtpFailureKind.Transient);
            world.Host.Time.Advance(TimeSpan.FromMinutes(3));
        }

        world.Host.Health.GetHealth("paws").IsHealthy.Should().BeTrue("at most four fall within any ten minutes");
    }

    private sealed class GreetingWorld : IAsyncDisposable
    {
        private int _greetings;
        private volatile bool _refuse;

        private GreetingWorld(ScriptedSmtpServer server)
        {
            Server = server;
            server.Script = context =>
            {
                if (context.Stage != SmtpStage.Greeting || !_refuse)
                {
                    return null;
                }

                Interlocked.Increment(ref _greetings);
                return TemporaryProblem;
            };
            Host.Settings.Set(EndToEndHost.Business("paws", server.CreateAccountSettings(Mailbox, Mailbox, TestSecrets.AppPassword)));
        }

        public ScriptedSmtpServer Server { get; }

        public EndToEndHost Host { get; } = new();

        public bool Refuse
        {
            get => _refuse;
            set => _refuse = value;
        }

        public int Greetings => Volatile.Read(ref _greetings);

        public static async Task<GreetingWorld> StartAsync() => new(await ScriptedSmtpServer.StartAsync(new()));

        public async ValueTask DisposeAsync()
        {
            await Host.DisposeAsync();
            await Server.DisposeAsync();
        }
    }
}
