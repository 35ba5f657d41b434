using System.Diagnostics;
using System.Globalization;
using System.Text;
using PetSitter.Email.Tests.EndToEnd;
using PetSitter.Email.Tests.Faults;
using Xunit.Abstractions;

namespace PetSitter.Email.Tests.Soak;

/// <summary>
/// The deliberate fault soak: twenty thousand messages for two hundred businesses through real SMTP
/// conversations while the servers and the network misbehave, each message accounted for in a ledger.
/// </summary>
public sealed class FaultSoakTests(ITestOutputHelper output)
{
    private const int Seed = 20_261_127;
    private const int BusinessCount = 200;
    private const int MessageCount = 20_000;
    private const int Concurrency = 8;

    private static readonly (ChaosFault Fault, double Rate)[] ChaosRates =
    [
        (ChaosFault.ResetBeforeDelivery, 0.004),
        (ChaosFault.IoErrorBeforeDelivery, 0.003),
        (ChaosFault.TimeoutBeforeDelivery, 0.003),
        (ChaosFault.LostBeforeTheServerKeptIt, 0.0005),
        (ChaosFault.LostAfterTheServerKeptIt, 0.0005),
    ];

    [Fact]
    public async Task Twenty_thousand_messages_under_faults_each_end_in_exactly_one_outcome()
    {
        var total = Stopwatch.StartNew();
        await using var world = await FleetWorld.StartAsync(new SoakFleetPlan(Seed), Seed, BusinessCount, MessageCount);
        var plan = new ChaosPlan(Seed, ChaosRates);
        await using var host = ChaosHost.Create((time, inner) => new ChaosSmtpTransport(inner, plan, time), out var chaos);
        foreach (var business in world.Businesses)
        {
            host.Settings.Set(world.Settings(business));
        }

        // Phase 1: every message sent once, eight at a time; halfway through, one server restarts.
        var outcomes = new SendOutcome[MessageCount];
        var sending = Stopwatch.StartNew();
        await Parallel.ForEachAsync(
            world.Messages,
            new ParallelOptions { MaxDegreeOfParallelism = Concurrency },
            async (message, _) =>
            {
                if (message.Number == MessageCount / 2)
                {
                    await world.RestartAsync(SoakFleetPlan.RestartedServer);
                }

                outcomes[message.Number] = await host.SendAsync(message.Business.Id, message.Category, message.Number, message.To);
            });
        sending.Stop();

        outcomes.Select(o => o.MessageId).Should().Equal(world.Messages.Select(m => EndToEndHost.MessageId(m.Number)), "one outcome per message, under its own Message-ID");
        var rejectedIds = world.Messages.Where(m => world.RejectedAddresses.Contains(m.To)).Select(m => EndToEndHost.MessageId(m.Number)).ToHashSet(StringComparer.Ordinal);
        var marketingIds = world.Messages.Where(m => m.Category == EmailCategory.Marketing).Select(m => EndToEndHost.MessageId(m.Number)).ToHashSet(StringComparer.Ordinal);
        outcomes.Where(o => o.Status == SendStatus.Failed).Should().OnlyContain(o => o.FailureKind == SmtpFailureKind.RecipientRejected && rejectedIds.Contains(o.MessageId), "only a refused address ends a message as failed");
        var deferred = outcomes.Where(o => o.Status == SendStatus.Deferred).ToList();
        deferred.Should().OnlyContain(o => marketingIds.Contains(o.MessageId), "only marketing waits");
        outcomes.Where(o => o.IsFallback).Should().OnlyContain(o => o.Channel == EmailChannel.Native && !marketingIds.Contains(o.MessageId), "marketing never falls back to the platform's mailer");
        outcomes.Where(o => o.Status == SendStatus.DeliveryUncertain).Should().OnlyContain(o => o.Channel == EmailChannel.Smtp && o.FailureKind == SmtpFailureKind.Transient);
        (await host.Queue.CountAsync(CancellationToken.None)).Should().Be(deferred.Count);
        var deliveredInPhase1 = world.Instances.SelectMany(s => s.Messages).GroupBy(m => m.UserName ?? string.Empty).ToDictionary(g => g.Key, g => g.Count(), StringComparer.OrdinalIgnoreCase);
        foreach (var business in world.Businesses.Where(b => b.Profile == FleetProfile.OwnHourlyLimit))
        {
            deliveredInPhase1.GetValueOrDefault(business.UserName!).Should().BeLessThanOrEqualTo(business.Quota, $"{business.Id}'s own hourly limit holds on the server");
        }

        var phase1 = outcomes.ToArray();
        var unhealthy = host.Health.GetUnhealthy();
        var unhealthyAfterPhase1 = string.Create(CultureInfo.InvariantCulture, $"{unhealthy.Count} ({string.Join(", ", unhealthy
            .GroupBy(h => (h.Kind, world.Businesses.Single(b => b.Id == h.BusinessId).Profile))
            .OrderByDescending(g => g.Count())
            .Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key.Kind} on {g.Key.Profile}: {g.Count()}")))})");

        // Phase 2: the owners fix their passwords, a day passes, the dispatcher drains the queue (the faults go on).
        var draining = Stopwatch.StartNew();
        world.FixPasswords(host.Settings);
        var (idleHours, _) = await host.DrainDeferredAsync(world.StartNewProviderDay, maxIdleHours: 96);
        draining.Stop();

        // The ledger. Every deferred message ended in exactly one final outcome, under its Message-ID.
        var finals = host.Outcomes.Outcomes;
        finals.Select(o => o.MessageId).Should().OnlyHaveUniqueItems("one final outcome per deferred message");
        finals.Select(o => o.MessageId).Should().BeEquivalentTo(deferred.Select(o => o.MessageId));
        finals.Should().OnlyContain(o => (o.Status == SendStatus.Sent && o.Channel == EmailChannel.Smtp)
            || (o.Status == SendStatus.Failed && o.FailureKind == SmtpFailureKind.RecipientRejected && rejectedIds.Contains(o.MessageId))
            || o.Status == SendStatus.DeliveryUncertain);

        // What the servers received matches the outcomes that say "sent via SMTP"; only uncertain ones may be missing or doubled.
        var final = phase1.Where(o => o.Status != SendStatus.Deferred).Concat(finals).ToList();
        final.Should().HaveCount(MessageCount, "every message has exactly one final outcome");
        var sentSmtp = final.Where(o => o.IsSent && o.Channel == EmailChannel.Smtp).Select(o => o.MessageId).ToHashSet(StringComparer.Ordinal);
        var uncertain = final.Where(o => o.Status == SendStatus.DeliveryUncertain).Select(o => o.MessageId).ToHashSet(StringComparer.Ordinal);
        var received = world.Instances.SelectMany(s => s.Messages).GroupBy(m => m.Message.MessageId ?? string.Empty, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var duplicates = received.Where(r => r.Value > 1).Select(r => r.Key).ToList();
        duplicates.Where(id => !uncertain.Contains(id)).Should().BeEmpty("only a message whose fate was unknown may have arrived twice");
        received.Keys.Except(sentSmtp).Except(uncertain).Should().BeEmpty("no message reached a server unless its outcome says sent via SMTP or uncertain");
        sentSmtp.Where(id => received.GetValueOrDefault(id) != 1).Should().BeEmpty("every message sent via SMTP arrived exactly once");
        world.DroppedAfterData.Except(uncertain).Should().BeEmpty("a message dropped after the end of DATA is reported uncertain");

        // The native mailer's side: each native outcome is one message it holds.
        var native = host.Native.Messages.Select(m => m.MessageId ?? string.Empty).ToList();
        native.Should().OnlyHaveUniqueItems();
        native.Should().BeEquivalentTo(final.Where(o => o.IsSent && o.Channel == EmailChannel.Native).Select(o => o.MessageId));

        host.Health.GetUnhealthy().Select(h => $"{h.BusinessId}: {h.Kind}").Should().BeEmpty("every account recovered once the day passed and the passwords were fixed");
        foreach (var business in world.Businesses.Where(b => b.Profile == FleetProfile.WrongPasswordGmail))
        {
            world.FailedSignIns(business.UserName!).Should().Be(1, $"{business.Id}'s wrong password cost one failed sign-in, and the fixed one none");
        }

        total.Stop();
        var report = Report(world, chaos(), phase1, finals, duplicates.Count, unhealthyAfterPhase1, idleHours, sending.Elapsed, draining.Elapsed, total.Elapsed);
        output.WriteLine(report);
    }

    private static string Report(
        FleetWorld world,
        ChaosSmtpTransport chaos,
        SendOutcome[] phase1,
        IReadOnlyList<SendOutcome> finals,
        int duplicates,
        string unhealthy,
        int idleHours,
        TimeSpan sending,
        TimeSpan draining,
        TimeSpan total)
    {
        var builder = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"seed {Seed}: {MessageCount:N0} messages, {BusinessCount} businesses, 6 servers, {Concurrency} at a time")
            .AppendLine()
            .AppendLine("| faults injected | count |")
            .AppendLine("|---|---|");
        foreach (var (fault, count) in world.Faults.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            builder.AppendLine(CultureInfo.InvariantCulture, $"| server: {fault} | {count:N0} |");
        }

        foreach (var (fault, count) in chaos.Injected.OrderBy(f => f.Key))
        {
            builder.AppendLine(CultureInfo.InvariantCulture, $"| chaos (transport): {fault} | {count:N0} |");
        }

        builder
            .AppendLine()
            .AppendLine("| phase 1: each message sent once | messages |")
            .AppendLine("|---|---|")
            .AppendLine(CultureInfo.InvariantCulture, $"| sent via SMTP | {phase1.Count(o => o.IsSent && o.Channel == EmailChannel.Smtp):N0} |")
            .AppendLine(CultureInfo.InvariantCulture, $"| sent native by routing | {phase1.Count(o => o.IsSent && o.Channel == EmailChannel.Native && !o.IsFallback):N0} |")
            .AppendLine(CultureInfo.InvariantCulture, $"| sent native by fallback | {phase1.Count(o => o.IsSent && o.IsFallback):N0} ({Kinds(phase1.Where(o => o.IsSent && o.IsFallback))}) |")
            .AppendLine(CultureInfo.InvariantCulture, $"| deferred (marketing) | {phase1.Count(o => o.Status == SendStatus.Deferred):N0} ({Kinds(phase1.Where(o => o.Status == SendStatus.Deferred))}) |")
            .AppendLine(CultureInfo.InvariantCulture, $"| failed | {phase1.Count(o => o.Status == SendStatus.Failed):N0} ({Kinds(phase1.Where(o => o.Status == SendStatus.Failed))}) |")
            .AppendLine(CultureInfo.InvariantCulture, $"| delivery uncertain | {phase1.Count(o => o.Status == SendStatus.DeliveryUncertain):N0} |")
            .AppendLine(CultureInfo.InvariantCulture, $"| total | {phase1.Length:N0} |")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"accounts unhealthy after phase 1: {unhealthy}; restarted server: {world.Businesses.Count(b => b.HasSmtp && b.ServerIndex == SoakFleetPlan.RestartedServer)} accounts on it")
            .AppendLine(CultureInfo.InvariantCulture, $"phase 2: {finals.Count:N0} deferred messages finished: {finals.Count(o => o.IsSent):N0} sent via SMTP, {finals.Count(o => o.Status == SendStatus.Failed):N0} failed ({Kinds(finals.Where(o => o.Status == SendStatus.Failed))}), {finals.Count(o => o.Status == SendStatus.DeliveryUncertain):N0} uncertain; {idleHours} idle hour(s) of fake clock")
            .AppendLine(CultureInfo.InvariantCulture, $"servers: {world.Instances.Sum(s => s.Messages.Count):N0} messages received, {world.Instances.Sum(s => s.ConnectionsOpened):N0} connections opened; duplicates on the servers: {duplicates}")
            .AppendLine(CultureInfo.InvariantCulture, $"wall clock: phase 1 {sending.TotalSeconds:0.0} s ({MessageCount / sending.TotalSeconds:N0} messages/s), phase 2 {draining.TotalSeconds:0.0} s, whole test {total.TotalSeconds:0.0} s");
        return builder.ToString();
    }

    private static string Kinds(IEnumerable<SendOutcome> outcomes) => string.Join(", ", outcomes
        .GroupBy(o => o.FailureKind)
        .OrderByDescending(g => g.Count())
        .Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key?.ToString() ?? "none"}: {g.Count():N0}")));
}
