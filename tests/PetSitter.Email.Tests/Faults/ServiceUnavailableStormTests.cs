using PetSitter.Email.Testing;
using PetSitter.Email.Tests.EndToEnd;

namespace PetSitter.Email.Tests.Faults;

/// <summary>
/// A storm of <c>421 4.3.2 Service not available</c> replies (the server closes each connection after it),
/// then calm. Messages that met 421 at every attempt take their category's fallback; the rest go over SMTP;
/// none is lost or sent twice, and the account stays healthy.
/// </summary>
public sealed class ServiceUnavailableStormTests
{
    private const int StormLength = 12;
    private const int Messages = 24;
    private static readonly SmtpReply NotAvailable = new(421, "4.3.2 Service not available, closing transmission channel");

    [Theory]
    [InlineData(SmtpStage.Greeting)]
    [InlineData(SmtpStage.MailFrom)]
    [InlineData(SmtpStage.AfterData)]
    public async Task A_storm_of_421_replies_loses_nothing_and_sends_nothing_twice(SmtpStage stage)
    {
        await using var server = await StageDropTests.StartServerAsync();
        var hits = new StageCounter(stage);
        server.Script = context => hits.Hit(context) is > 0 and <= StormLength ? NotAvailable : null;
        await using var host = StageDropTests.NewHost(server);
        var categories = Enum.GetValues<EmailCategory>();

        var outcomes = new List<SendOutcome>();
        foreach (var wave in Enumerable.Range(0, Messages).Chunk(4))
        {
            outcomes.AddRange(await Task.WhenAll(wave.Select(n => host.SendAsync("paws", categories[n % categories.Length], n))));
        }

        hits.Count.Should().BeGreaterThan(StormLength, "the storm passed and later messages reached the stage");
        outcomes.Select(o => o.MessageId).Should().Equal(Enumerable.Range(0, Messages).Select(EndToEndHost.MessageId), "one outcome per message, under its Message-ID");
        outcomes.Should().OnlyContain(
            o => (o.Status == SendStatus.Sent && o.Channel == EmailChannel.Smtp && !o.IsFallback)
                || (o.FailureKind == SmtpFailureKind.Transient && (o.IsFallback || o.Status == SendStatus.Deferred)),
            "a 421 is a passing refusal: retried, then the category's fallback");
        outcomes.Should().NotContain(o => o.Status == SendStatus.DeliveryUncertain || o.Status == SendStatus.Failed, "a 421 is a definite answer: nothing is uncertain");
        outcomes.Where(o => o.Status == SendStatus.Deferred).Should().OnlyContain(o => o.Category == EmailCategory.Marketing);
        outcomes.Skip(Messages - 4).Should().OnlyContain(o => o.Channel == EmailChannel.Smtp && o.IsSent, "the storm is over by the last wave");

        var received = server.Messages.Select(m => m.Message.MessageId).ToList();
        received.Should().OnlyHaveUniqueItems().And.BeEquivalentTo(outcomes.Where(o => o.IsSent && o.Channel == EmailChannel.Smtp).Select(o => o.MessageId));
        host.Native.Messages.Select(m => m.MessageId).Should().BeEquivalentTo(outcomes.Where(o => o.IsSent && o.Channel == EmailChannel.Native).Select(o => o.MessageId));
        (await host.Queue.CountAsync(CancellationToken.None)).Should().Be(outcomes.Count(o => o.Status == SendStatus.Deferred));
        host.Health.GetHealth("paws").IsHealthy.Should().BeTrue("a busy server says nothing about the owner's account");
    }
}
