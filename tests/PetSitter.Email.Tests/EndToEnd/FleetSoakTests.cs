using System.Diagnostics;
using System.Globalization;
using System.Text;
using Xunit.Abstractions;

namespace PetSitter.Email.Tests.EndToEnd;

/// <summary>
/// The deliberate soak: ten thousand messages for fifty businesses through real SMTP conversations, each
/// accounted for in a ledger against what the servers and the native mailer actually received.
/// </summary>
public sealed class FleetSoakTests(ITestOutputHelper output)
{
    private const int Seed = 20_261_127;
    private const int BusinessCount = 50;
    private const int MessageCount = 10_000;
    private const int Concurrency = 8;
    private const int PlannedDrops = 12;

    private static readonly EmailCategory[] FallsBackNative =
        [EmailCategory.Quote, EmailCategory.Invoice, EmailCategory.AccountSummary, EmailCategory.SystemNotification, EmailCategory.General];

    [Fact]
    public async Task Ten_thousand_messages_over_fifty_businesses_all_end_in_one_outcome()
    {
        var total = Stopwatch.StartNew();
        var plan = new EndToEndFleetPlan(PlannedDrops);
        await using var world = await FleetWorld.StartAsync(plan, Seed, BusinessCount, MessageCount);
        await using var host = new EndToEndHost();
        foreach (var business in world.Businesses)
        {
            host.Settings.Set(world.Settings(business));
        }

        var maxConnections = host.Options<PetSitterEmailOptions>().Smtp.MaxConnectionsPerAccount;

        // Phase 1: every message sent once, eight at a time, at one instant of the library's clock.
        var sending = Stopwatch.StartNew();
        var outcomes = new SendOutcome[MessageCount];
        await Parallel.ForEachAsync(
            world.Messages,
            new ParallelOptions { MaxDegreeOfParallelism = Concurrency },
            async (message, _) => outcomes[message.Number] = await host.SendAsync(message.Business.Id, message.Category, message.Number, message.To));
        sending.Stop();

        // One outcome per message, carrying its Message-ID.
        outcomes.Should().OnlyContain(o => o != null);
        foreach (var message in world.Messages)
        {
            var outcome = outcomes[message.Number];
            outcome.MessageId.Should().Be(EndToEndHost.MessageId(message.Number));
            outcome.BusinessId.Should().Be(message.Business.Id);
            outcome.Category.Should().Be(message.Category);
            ShouldFitTheProfile(message, outcome, world.RejectedAddresses);
        }

        var businessOf = world.Messages.ToDictionary(m => EndToEndHost.MessageId(m.Number), m => m.Business.Id);

        // The servers' side: each message arrived at most once; the ones dropped after DATA are exactly the
        // uncertain outcomes, the rest exactly the outcomes sent over SMTP.
        var received = ReceivedIds(world);
        ShouldBeUnique(received, "messages the servers received");
        ShouldMatch(world.DroppedAfterData, plan.PlannedDrops, "connections dropped after DATA");
        ShouldMatch(IdsOf(outcomes, o => o.Status == SendStatus.DeliveryUncertain), world.DroppedAfterData, "delivery-uncertain outcomes");
        ShouldMatch(IdsOf(outcomes, o => o.Status == SendStatus.Sent && o.Channel == EmailChannel.Smtp), received.Except(world.DroppedAfterData), "outcomes sent via SMTP");

        // Over SMTP each message left from its business's own mailbox, signed in as it, Reply-To the business.
        foreach (var arrived in world.Servers.SelectMany(s => s.Messages))
        {
            var business = world.Businesses.Single(b => string.Equals(b.UserName, arrived.Sender, StringComparison.OrdinalIgnoreCase));
            arrived.UserName.Should().Be(business.UserName);
            arrived.Message.From.Mailboxes.Single().Address.Should().Be(business.UserName);
            arrived.Message.ReplyTo.Mailboxes.Single().Address.Should().Be($"office@{business.Id}.example");
            businessOf[arrived.Message.MessageId!].Should().Be(business.Id);
        }

        // The native mailer's side: each native outcome is one message it holds, from the platform, Reply-To the business.
        var native = host.Native.Messages;
        ShouldBeUnique(native.Select(m => m.MessageId ?? string.Empty), "messages the native mailer received");
        ShouldMatch(IdsOf(outcomes, o => o.Status == SendStatus.Sent && o.Channel == EmailChannel.Native), native.Select(m => m.MessageId ?? string.Empty), "outcomes sent native");
        foreach (var message in native)
        {
            message.From.Mailboxes.Single().Address.Should().Be("mailer@petsoftware.net");
            message.ReplyTo.Mailboxes.Single().Address.Should().Be($"office@{businessOf[message.MessageId!]}.example");
        }

        // The invoice always gets through: documents and general mail end undelivered only when the message itself was refused.
        outcomes.Where(o => FallsBackNative.Contains(o.Category) && o.Status is SendStatus.Failed or SendStatus.Deferred)
            .Should().OnlyContain(o => o.FailureKind == SmtpFailureKind.RecipientRejected || o.FailureKind == SmtpFailureKind.MessageRejected);

        // Marketing never spends the platform's reputation by fallback (businesses without SMTP send it natively by routing).
        outcomes.Where(o => o.Category == EmailCategory.Marketing && o.Channel == EmailChannel.Native)
            .Should().OnlyContain(o => !o.IsFallback && o.PlannedChannel == EmailChannel.Native);
        var deferred = outcomes.Where(o => o.Status == SendStatus.Deferred).ToList();
        deferred.Should().OnlyContain(o => o.Category == EmailCategory.Marketing);
        (await host.Queue.CountAsync(CancellationToken.None)).Should().Be(deferred.Count);

        // What the servers saw of the broken accounts: the breaker stopped each after the replies already in flight.
        foreach (var business in world.Businesses)
        {
            ShouldHaveBeenSpared(world, host, business, maxConnections);
        }

        var phase1 = Figures.Of(outcomes);
        var transientReplies = plan.TransientReplies;
        var quotaReplies = world.TotalQuotaReplies;
        var failedSignIns = world.Businesses.Where(b => b.UserName is not null).Sum(b => world.FailedSignIns(b.UserName!));
        var unhealthy = host.Health.GetUnhealthy().Count;

        // Phase 2: the owners fix their passwords, the providers' day and our own hourly windows pass, and the
        // dispatcher works through the queue until it is empty.
        var draining = Stopwatch.StartNew();
        world.FixPasswords(host.Settings);

        // What is still waiting when nothing is due met a limit again (more deferred than a day's quota).
        var (idleHours, waitingAgain) = await host.DrainDeferredAsync(world.StartNewProviderDay, maxIdleHours: 72);
        draining.Stop();

        // Every deferred message ended in exactly one final outcome, heard by the listener under its Message-ID,
        // and went out from the business's own mailbox (or was refused by the client's server).
        var finals = host.Outcomes.Outcomes;
        ShouldBeUnique(finals.Select(o => o.MessageId), "final outcomes of deferred messages");
        ShouldMatch(finals.Select(o => o.MessageId), deferred.Select(o => o.MessageId), "final outcomes of deferred messages");
        // A marketing email to an address refused before is suppressed as a hard bounce (docs/deliverability.md, "Suppression").
        finals.Should().OnlyContain(o => (o.Status == SendStatus.Sent && o.Channel == EmailChannel.Smtp)
            || (o.Status == SendStatus.Failed && o.FailureKind == SmtpFailureKind.RecipientRejected)
            || (o.Status == SendStatus.Failed && o.Category == EmailCategory.Marketing && o.Suppression == SuppressionReason.HardBounce));
        var rejectedIds = world.Messages.Where(m => world.RejectedAddresses.Contains(m.To)).Select(m => EndToEndHost.MessageId(m.Number)).ToHashSet();
        finals.Where(o => o.Status == SendStatus.Failed).Should().OnlyContain(o => rejectedIds.Contains(o.MessageId));

        var receivedAfter = ReceivedIds(world);
        ShouldBeUnique(receivedAfter, "messages the servers received, resends included");
        ShouldMatch(
            IdsOf(outcomes, o => o.Status == SendStatus.Sent && o.Channel == EmailChannel.Smtp).Concat(IdsOf(finals, o => o.Status == SendStatus.Sent)),
            receivedAfter.Except(world.DroppedAfterData),
            "outcomes sent via SMTP, resends included");
        host.Native.Messages.Should().HaveCount(native.Count, "nothing deferred went native");
        host.Health.GetUnhealthy().Should().BeEmpty("every account recovered");
        foreach (var business in world.Businesses.Where(b => b.IsWrongPassword))
        {
            world.FailedSignIns(business.UserName!).Should().Be(1, "the new password signed in at once");
        }

        total.Stop();
        var finalSent = finals.Count(o => o.Status == SendStatus.Sent);
        var report = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"seed {Seed}: {MessageCount:N0} messages, {BusinessCount} businesses, {world.Servers.Count} servers, {Concurrency} at a time")
            .AppendLine("| phase 1 (one send each) | messages |")
            .AppendLine("|---|---|")
            .AppendLine(CultureInfo.InvariantCulture, $"| sent via SMTP | {phase1.SmtpSent:N0} |")
            .AppendLine(CultureInfo.InvariantCulture, $"| sent native, by routing (no SMTP, or a document with \"Only Use for Direct Emails\") | {phase1.NativeRouted:N0} |")
            .AppendLine(CultureInfo.InvariantCulture, $"| sent native by fallback | {phase1.NativeFallback:N0} ({phase1.FallbackKinds}) |")
            .AppendLine(CultureInfo.InvariantCulture, $"| deferred (marketing) | {phase1.Deferred:N0} ({phase1.DeferredKinds}) |")
            .AppendLine(CultureInfo.InvariantCulture, $"| failed (recipient refused) | {phase1.Failed:N0} |")
            .AppendLine(CultureInfo.InvariantCulture, $"| delivery uncertain (connection dropped after DATA) | {phase1.Uncertain:N0} |")
            .AppendLine(CultureInfo.InvariantCulture, $"| total | {phase1.Total:N0} |")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"servers: {ReceivedIds(world).Count:N0} messages received in all, {world.Servers.Sum(s => s.ConnectionsOpened):N0} connections opened, {transientReplies} transient 421/451 replies met (all retried), {quotaReplies} provider quota replies, {failedSignIns} failed sign-ins for 3 wrong passwords; {unhealthy} accounts unhealthy after phase 1")
            .AppendLine(CultureInfo.InvariantCulture, $"phase 2: {finals.Count:N0} deferred messages dispatched, {finalSent:N0} sent via SMTP, {finals.Count - finalSent:N0} failed (recipient refused); {waitingAgain} met a quota again and waited {idleHours} more hour(s) of fake clock")
            .AppendLine(CultureInfo.InvariantCulture, $"wall clock: phase 1 {sending.Elapsed.TotalSeconds:0.0} s ({MessageCount / sending.Elapsed.TotalSeconds:N0} messages/s), phase 2 {draining.Elapsed.TotalSeconds:0.0} s, whole test {total.Elapsed.TotalSeconds:0.0} s");
        output.WriteLine(report.ToString());
    }

    /// <summary>What each kind of business must see, message by message.</summary>
    private static void ShouldFitTheProfile(FleetMessage message, SendOutcome outcome, IReadOnlyList<string> rejectedAddresses)
    {
        var profile = message.Business.Profile;
        var direct = message.Category is EmailCategory.Marketing or EmailCategory.General;
        if (profile is FleetProfile.NoSmtp or FleetProfile.SmtpDisabled || (profile == FleetProfile.OnlyDirect && !direct))
        {
            outcome.Status.Should().Be(SendStatus.Sent, outcome.ToString());
            outcome.Channel.Should().Be(EmailChannel.Native);
            outcome.PlannedChannel.Should().Be(EmailChannel.Native);
            return;
        }

        outcome.PlannedChannel.Should().Be(EmailChannel.Smtp, outcome.ToString());
        if (outcome.Status == SendStatus.Failed)
        {
            // Refused at RCPT TO, or (marketing only) suppressed because an earlier email to the address was refused.
            if (outcome.Suppression is null)
            {
                outcome.FailureKind.Should().Be(SmtpFailureKind.RecipientRejected, outcome.ToString());
            }
            else
            {
                outcome.Should().Match<SendOutcome>(o => o.Category == EmailCategory.Marketing && o.Suppression == SuppressionReason.HardBounce, outcome.ToString());
            }

            message.To.Should().BeOneOf(rejectedAddresses);
        }

        if (profile is FleetProfile.Healthy or FleetProfile.OnlyDirect)
        {
            outcome.Status.Should().NotBe(SendStatus.Deferred, outcome.ToString());
            outcome.Channel.Should().Be(EmailChannel.Smtp, outcome.ToString());
        }

        if (message.Business.IsWrongPassword)
        {
            outcome.FailureKind.Should().Be(SmtpFailureKind.AuthenticationFailed, outcome.ToString());
        }
        else if (message.Business.HasProviderQuota || profile == FleetProfile.OwnHourlyLimit)
        {
            new SmtpFailureKind?[] { null, SmtpFailureKind.SendLimitReached, SmtpFailureKind.RecipientRejected }.Should().Contain(outcome.FailureKind, outcome.ToString());
        }
    }

    private static void ShouldHaveBeenSpared(FleetWorld world, EndToEndHost host, FleetBusiness business, int maxConnections)
    {
        if (business.UserName is null)
        {
            return;
        }

        var health = host.Health.GetHealth(business.Id);
        var delivered = world.Delivered(business.UserName);
        switch (business.Profile)
        {
            case FleetProfile.WrongPasswordGmail or FleetProfile.WrongPasswordMicrosoft:
                world.FailedSignIns(business.UserName).Should().Be(1, $"a wrong password costs {business.Id} one failed sign-in, however many sends arrive at once");
                delivered.Should().Be(0);
                health.State.Should().Be(AccountHealthState.Failing);
                health.Kind.Should().Be(SmtpFailureKind.AuthenticationFailed);
                health.Advice.Should().ContainEquivalentOf("password");
                break;

            case FleetProfile.GmailQuotaAtMailFrom or FleetProfile.GmailQuotaAfterData or FleetProfile.MicrosoftQuotaAfterData:
                world.QuotaReplies(business.UserName).Should().BeInRange(1, maxConnections, business.Id);
                health.State.Should().Be(AccountHealthState.Throttled);
                health.Until.Should().Be(EndToEndHost.Start + TimeSpan.FromHours(24));
                break;

            case FleetProfile.OwnHourlyLimit:
                delivered.Should().BeLessThanOrEqualTo(business.Quota, business.Id);
                health.State.Should().Be(AccountHealthState.Throttled);
                // Within the hour and one bucket (2 minutes) that the limiter counts conservatively.
                health.Until.Should().BeAfter(EndToEndHost.Start).And.BeOnOrBefore(EndToEndHost.Start + TimeSpan.FromMinutes(62));
                break;

            case FleetProfile.SmtpDisabled:
                delivered.Should().Be(0);
                health.IsHealthy.Should().BeTrue();
                break;

            default:
                health.IsHealthy.Should().BeTrue(business.Id);
                break;
        }
    }

    /// <summary>FluentAssertions compares unordered collections pair by pair, minutes for 5,000 items: sets do it at once.</summary>
    private static void ShouldMatch(IEnumerable<string> actual, IEnumerable<string> expected, string what)
    {
        var actualSet = actual.ToHashSet(StringComparer.Ordinal);
        var expectedSet = expected.ToHashSet(StringComparer.Ordinal);
        actualSet.Except(expectedSet).Should().BeEmpty($"every one of the {what} must be expected");
        expectedSet.Except(actualSet).Should().BeEmpty($"every expected one of the {what} must be there");
    }

    private static void ShouldBeUnique(IEnumerable<string> ids, string what) =>
        ids.GroupBy(id => id, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).Should().BeEmpty($"no Message-ID may occur twice among the {what}");

    private static List<string> ReceivedIds(FleetWorld world) =>
        [.. world.Servers.SelectMany(s => s.Messages).Select(m => m.Message.MessageId ?? string.Empty)];

    private static IEnumerable<string> IdsOf(IEnumerable<SendOutcome> outcomes, Func<SendOutcome, bool> predicate) =>
        outcomes.Where(predicate).Select(o => o.MessageId);

    private sealed record Figures(int Total, int SmtpSent, int NativeRouted, int NativeFallback, string FallbackKinds, int Deferred, string DeferredKinds, int Failed, int Uncertain)
    {
        public static Figures Of(SendOutcome[] outcomes)
        {
            var fallback = outcomes.Where(o => o.IsSent && o.IsFallback).ToList();
            var deferred = outcomes.Where(o => o.Status == SendStatus.Deferred).ToList();
            return new Figures(
                outcomes.Length,
                outcomes.Count(o => o.IsSent && o.Channel == EmailChannel.Smtp),
                outcomes.Count(o => o.IsSent && o.Channel == EmailChannel.Native && !o.IsFallback),
                fallback.Count,
                Kinds(fallback),
                deferred.Count,
                Kinds(deferred),
                outcomes.Count(o => o.Status == SendStatus.Failed),
                outcomes.Count(o => o.Status == SendStatus.DeliveryUncertain));
        }

        private static string Kinds(IEnumerable<SendOutcome> outcomes) => string.Join(", ", outcomes
            .GroupBy(o => o.FailureKind)
            .OrderByDescending(g => g.Count())
            .Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key}: {g.Count():N0}")));
    }
}
