using PetSitter.Email.Tests.EndToEnd;

namespace PetSitter.Email.Tests.Faults;

/// <summary>
/// Faults below the protocol, injected by Polly's chaos strategies around the real transport at seeded
/// rates. Each fault is fixed by the seed, the Message-ID and the attempt, so each message's outcome can be
/// predicted and checked: what the library reports, and what the server holds.
/// </summary>
public sealed class ChaosTransportTests
{
    private const int Seed = 7_2026;
    private const int Messages = 300;

    [Fact]
    public async Task Seeded_faults_below_the_protocol_end_each_message_as_predicted_and_nothing_is_sent_twice()
    {
        var plan = new ChaosPlan(Seed, [
            (ChaosFault.ResetBeforeDelivery, 0.08),
            (ChaosFault.IoErrorBeforeDelivery, 0.08),
            (ChaosFault.TimeoutBeforeDelivery, 0.08),
            (ChaosFault.LostBeforeTheServerKeptIt, 0.02),
            (ChaosFault.LostAfterTheServerKeptIt, 0.02),
        ]);
        await using var server = await StageDropTests.StartServerAsync();
        await using var host = ChaosHost.Create((time, inner) => new ChaosSmtpTransport(inner, plan, time), out var chaos);
        host.Settings.Set(EndToEndHost.Business("paws", server.CreateAccountSettings("hello@paws.test")));
        var attempts = 1 + host.Options<PetSitterEmailOptions>().Retry.MaxRetryAttempts;
        var categories = Enum.GetValues<EmailCategory>();

        var outcomes = new List<SendOutcome>();
        foreach (var wave in Enumerable.Range(0, Messages).Chunk(6))
        {
            outcomes.AddRange(await Task.WhenAll(wave.Select(n => host.SendAsync("paws", categories[n % categories.Length], n))));
        }

        outcomes.Select(o => o.MessageId).Should().Equal(Enumerable.Range(0, Messages).Select(EndToEndHost.MessageId));
        var expectedOnServer = new List<string>();
        foreach (var outcome in outcomes)
        {
            var fate = Enumerable.Range(1, attempts).Select(a => plan.FaultFor(outcome.MessageId, a))
                .SkipWhile(f => f is ChaosFault.ResetBeforeDelivery or ChaosFault.IoErrorBeforeDelivery or ChaosFault.TimeoutBeforeDelivery)
                .Cast<ChaosFault?>()
                .FirstOrDefault();
            switch (fate)
            {
                case ChaosFault.None:
                    outcome.Should().Match<SendOutcome>(o => o.Status == SendStatus.Sent && o.Channel == EmailChannel.Smtp && !o.IsFallback, outcome.ToString());
                    expectedOnServer.Add(outcome.MessageId);
                    break;
                case ChaosFault.LostBeforeTheServerKeptIt or ChaosFault.LostAfterTheServerKeptIt:
                    outcome.Status.Should().Be(SendStatus.DeliveryUncertain, outcome.ToString());
                    outcome.FailureKind.Should().Be(SmtpFailureKind.Transient);
                    if (fate == ChaosFault.LostAfterTheServerKeptIt)
                    {
                        expectedOnServer.Add(outcome.MessageId);
                    }

                    break;
                default:
                    // Every attempt failed before delivery: the category's fallback, for a passing reason.
                    outcome.FailureKind.Should().Be(SmtpFailureKind.Transient, outcome.ToString());
                    outcome.Status.Should().Be(outcome.Category == EmailCategory.Marketing ? SendStatus.Deferred : SendStatus.Sent);
                    outcome.Channel.Should().Be(outcome.Category == EmailCategory.Marketing ? EmailChannel.Smtp : EmailChannel.Native);
                    break;
            }
        }

        var injected = chaos().Injected;
        injected.Keys.Should().Contain([ChaosFault.ResetBeforeDelivery, ChaosFault.IoErrorBeforeDelivery, ChaosFault.TimeoutBeforeDelivery, ChaosFault.LostBeforeTheServerKeptIt, ChaosFault.LostAfterTheServerKeptIt]);
        outcomes.Should().Contain(o => o.IsFallback, "the seed gives some message three faults in a row");
        var received = server.Messages.Select(m => m.Message.MessageId!).ToList();
        received.Should().OnlyHaveUniqueItems("a message is never handed over twice");
        received.Should().BeEquivalentTo(expectedOnServer);
        host.Native.Messages.Select(m => m.MessageId).Should().BeEquivalentTo(outcomes.Where(o => o.Channel == EmailChannel.Native).Select(o => o.MessageId));
        host.Health.GetHealth("paws").IsHealthy.Should().BeTrue("faults of the network say nothing about the account");
    }

    [Fact]
    public async Task Latency_longer_than_the_attempt_timeout_abandons_the_attempt_and_the_retry_delivers_once()
    {
        await using var server = await StageDropTests.StartServerAsync();
        await using var host = ChaosHost.Create(
            (time, inner) => new ChaosSmtpTransport(inner, ChaosPlan.None, time, latency: TimeSpan.FromMinutes(10), slow: (_, attempt) => attempt == 1),
            out var chaos);
        host.Settings.Set(EndToEndHost.Business("paws", server.CreateAccountSettings("hello@paws.test")));

        var sending = host.SendAsync("paws", EmailCategory.Invoice, 1);
        await chaos().LatencyInjected.Task.WaitAsync(TimeSpan.FromSeconds(30));
        host.Time.Advance(host.Options<PetSitterEmailOptions>().Retry.AttemptTimeout);
        var outcome = await sending;

        outcome.Status.Should().Be(SendStatus.Sent, outcome.ToString());
        outcome.Channel.Should().Be(EmailChannel.Smtp);
        server.Messages.Select(m => m.Message.MessageId).Should().Equal(EndToEndHost.MessageId(1));
        host.Native.SendAttempts.Should().Be(0);
    }

    [Theory]
    [InlineData(EmailCategory.Invoice)]
    [InlineData(EmailCategory.Marketing)]
    public async Task A_transport_that_throws_a_bare_exception_still_gives_one_outcome_and_never_sends_twice(EmailCategory category)
    {
        var plan = new ChaosPlan(Seed, [(ChaosFault.BareIoExceptionAfterDelivery, 1.0)]);
        await using var server = await StageDropTests.StartServerAsync();
        await using var host = ChaosHost.Create((time, inner) => new ChaosSmtpTransport(inner, plan, time), out _);
        host.Settings.Set(EndToEndHost.Business("paws", server.CreateAccountSettings("hello@paws.test")));

        var outcome = await host.SendAsync("paws", category, 1);

        // The server has the message and the transport did not say how far it got: only "uncertain" is true.
        outcome.Status.Should().Be(SendStatus.DeliveryUncertain, outcome.ToString());
        outcome.Channel.Should().Be(EmailChannel.Smtp);
        outcome.MessageId.Should().Be(EndToEndHost.MessageId(1));
        server.Messages.Select(m => m.Message.MessageId).Should().Equal(EndToEndHost.MessageId(1));
        host.Native.SendAttempts.Should().Be(0);
        (await host.Queue.CountAsync(CancellationToken.None)).Should().Be(0);
        host.Health.GetHealth("paws").IsHealthy.Should().BeTrue();
    }
}
