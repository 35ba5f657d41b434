using Microsoft.Extensions.Time.Testing;
using PetSitter.Email.Redis.Tests.Support;
using PetSitter.Email.Testing;

namespace PetSitter.Email.Redis.Tests.Limits;

/// <summary>Four app instances sending for one Gmail account: together they must behave like one sender.</summary>
[Collection(RedisGroup.Name)]
public sealed class FleetSendLimitTests(RedisFixture redis)
{
    private const int Instances = 4;
    private const int Rounds = 500;
    private const int JumpAfterRound = 299;

    [Fact]
    public async Task Four_instances_sending_2000_messages_for_one_Gmail_account_never_exceed_its_limits()
    {
        var start = new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero);
        var time = new FakeTimeProvider(start);
        var transport = new CountingTransport(time);
        var native = new RecordingNativeMailer();
        var settings = new Settings(Settings.Business(Settings.Gmail()));
        var prefix = RedisFixture.NewPrefix();
        var fleet = Enumerable.Range(0, Instances).Select(_ => new Instance(redis.ConnectionString, prefix, time, settings, transport, native)).ToArray();
        var outcomes = new List<SendOutcome>();
        try
        {
            for (var round = 0; round < Rounds; round++)
            {
                // Every instance sends at once: only the shared store keeps them from all going out.
                var sends = fleet.Select((instance, i) => instance.Sender.SendAsync(Settings.Email(EmailCategory.General, (round * Instances) + i)));
                outcomes.AddRange(await Task.WhenAll(sends));

                // Just over a second per round, so Gmail's 2/s allows 2 per round; after round 299 a day and an
                // hour-long bucket pass, so the first day's sends have left the rolling day.
                time.Advance(round == JumpAfterRound ? TimeSpan.FromHours(25) : TimeSpan.FromSeconds(1.05));
            }
        }
        finally
        {
            foreach (var instance in fleet)
            {
                await instance.DisposeAsync();
            }
        }

        outcomes.Should().HaveCount(2_000);
        outcomes.Should().OnlyContain(o => o.Status == SendStatus.Sent, "what SMTP could not take went native: General mail falls back");
        var accepted = transport.Accepted.Select(a => a.At).Order().ToArray();
        accepted.Length.Should().Be(outcomes.Count(o => o.Channel == EmailChannel.Smtp));
        native.Messages.Should().HaveCount(2_000 - accepted.Length);

        // The provider's own view: never more than 2 in any second, never more than 500 in any 24 hours.
        for (var i = 2; i < accepted.Length; i++)
        {
            (accepted[i] - accepted[i - 2]).Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(1), "Gmail allows 2 messages per second");
        }

        for (var i = 500; i < accepted.Length; i++)
        {
            (accepted[i] - accepted[i - 500]).Should().BeGreaterThanOrEqualTo(TimeSpan.FromHours(24), "Gmail allows 500 messages per rolling day");
        }

        // And the limits are used, not just respected: the first day's 500 in full, then 2 per round again.
        accepted.Count(at => at < start.AddHours(24)).Should().Be(500);
        accepted.Length.Should().Be(500 + ((Rounds - JumpAfterRound - 1) * 2));
    }
}
