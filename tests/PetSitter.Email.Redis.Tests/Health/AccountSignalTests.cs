using Microsoft.Extensions.Time.Testing;
using PetSitter.Email.Redis.Tests.Support;
using PetSitter.Email.Testing;

namespace PetSitter.Email.Redis.Tests.Health;

/// <summary>
/// The signals counted from failures that are not account-level one by one, with the breaker in Redis: each
/// instance counts what it sees; what the count decides at account level is shared.
/// </summary>
[Collection(RedisGroup.Name)]
public sealed class AccountSignalTests(RedisFixture redis) : IAsyncLifetime
{
    private const string BusinessId = "paws";

    // From the project's provider notes (shared/providers.md): Gmail's temporary refusal, and its refusal of
    // content judged unsolicited (sent after DATA; the part the notes elide is left out).
    private static readonly SmtpReply TemporaryProblem = new(421, "4.3.0 Temporary System Problem. Try again later");
    private static readonly SmtpReply LikelyUnsolicited = new(550, "5.7.1 Our system has detected that this message is likely unsolicited mail.");

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero));
    private readonly string _prefix = RedisFixture.NewPrefix();
    private readonly Fleet _fleet = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _fleet.DisposeAsync().AsTask();

    [Fact]
    public async Task Five_421_greetings_seen_by_one_instance_open_the_breaker_for_the_fleet()
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new());
        var refuse = true;
        server.Script = context => context.Stage == SmtpStage.Greeting && Volatile.Read(ref refuse) ? TemporaryProblem : null;
        var settings = new Settings(Settings.Business(server.CreateAccountSettings("owner@paws.example", "owner@paws.example", "app-password")));
        var fleet = Fleet(2, settings);

        for (var n = 1; n <= 5; n++)
        {
            (await fleet[0].Sender.SendAsync(Settings.Email(EmailCategory.Invoice, n))).FailureKind.Should().Be(SmtpFailureKind.Transient);
        }

        var connections = server.ConnectionsOpened;
        var other = await fleet[1].Sender.SendAsync(Settings.Email(EmailCategory.Invoice, 6));

        other.FailureKind.Should().Be(SmtpFailureKind.AccountUnavailable, "the breaker instance 0 opened is in Redis");
        other.Channel.Should().Be(EmailChannel.Native);
        server.ConnectionsOpened.Should().Be(connections, "instance 1 did not knock");
        fleet[1].Health.GetHealth(BusinessId).Kind.Should().Be(SmtpFailureKind.AccountUnavailable);

        Volatile.Write(ref refuse, false);
        _time.Advance(new AccountHealthOptions().InitialProbeInterval);
        (await fleet[1].Sender.SendAsync(Settings.Email(EmailCategory.Invoice, 7))).Channel.Should().Be(EmailChannel.Smtp, "the probe finds the mailbox back");
        (await fleet[0].Sender.SendAsync(Settings.Email(EmailCategory.Invoice, 8))).Channel.Should().Be(EmailChannel.Smtp);
    }

    [Fact]
    public async Task Three_spam_refusals_pause_marketing_in_the_instance_that_counted_them_and_documents_still_go_over_smtp()
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new());
        var refuse = true;
        server.Script = context => context.Stage == SmtpStage.AfterData && Volatile.Read(ref refuse) ? LikelyUnsolicited : null;
        var settings = new Settings(Settings.Business(server.CreateAccountSettings("owner@paws.example", "owner@paws.example", "app-password")));
        var instance = Fleet(1, settings)[0];

        for (var n = 1; n <= 3; n++)
        {
            (await instance.Sender.SendAsync(Settings.Email(EmailCategory.Marketing, n))).Status.Should().Be(SendStatus.Failed);
        }

        Volatile.Write(ref refuse, false);
        var marketing = await instance.Sender.SendAsync(Settings.Email(EmailCategory.Marketing, 4));
        var invoice = await instance.Sender.SendAsync(Settings.Email(EmailCategory.Invoice, 5));

        marketing.Status.Should().Be(SendStatus.Deferred, marketing.ToString());
        marketing.FailureKind.Should().Be(SmtpFailureKind.RejectedAsSpam);
        invoice.Channel.Should().Be(EmailChannel.Smtp);
        instance.Health.GetHealth(BusinessId).Should().Match<AccountHealth>(h => h.State == AccountHealthState.Failing && h.Kind == SmtpFailureKind.RejectedAsSpam);
        server.Messages.Should().ContainSingle().Which.Message.MessageId.Should().Be(invoice.MessageId, "the paused marketing email was not offered");
    }

    private Instance[] Fleet(int count, Settings settings)
    {
        var fleet = Enumerable.Range(0, count).Select(_ => new Instance(redis.ConnectionString, _prefix, _time, settings)).ToArray();
        _fleet.AddRange(fleet);
        return fleet;
    }
}
