using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace PetSitter.Email.Tests.Limits;

/// <summary>
/// Measures the store's footprint and speed and writes the figures to the test output. Memory has a
/// ceiling; times are reported, never asserted (they depend on the machine and the build).
/// </summary>
[Collection(nameof(SendQuotaFiguresTests))]
public class SendQuotaFiguresTests(ITestOutputHelper output)
{
    private const int Accounts = 100_000;

    public static TheoryData<string> Presets() => ["Gmail", "Google Workspace", "Microsoft 365", "Zoho"];

    [Theory]
    [MemberData(nameof(Presets))]
    public void Memory_per_tracked_account_stays_small(string preset)
    {
        var limits = ProviderPresets.Find(preset)!.Limits;
        var keys = Enumerable.Range(0, Accounts).Select(i => $"smtp.example|owner{i}@paws.example").ToArray();
        var store = new InMemorySendQuotaStore(new FakeTimeProvider());
        store.TryAcquire("warm-up", limits, 1);

        var before = GC.GetTotalMemory(forceFullCollection: true);
        foreach (var key in keys)
        {
            store.TryAcquire(key, limits, 1).IsAllowed.Should().BeTrue();
        }

        var after = GC.GetTotalMemory(forceFullCollection: true);
        var perAccount = (after - before) / (double)Accounts;
        var cells = 24 + (2 * AccountCells.Length(QuotaWindows.MaskOf(limits)));
        output.WriteLine($"{preset} ({limits}): {perAccount:F0} B per tracked account, of which counters {cells} B (keys excluded)");

        store.TrackedAccounts.Should().Be(Accounts + 1);
        perAccount.Should().BeLessThanOrEqualTo(256);
        GC.KeepAlive(keys);
        GC.KeepAlive(store);
    }

    [Fact]
    public void Check_cost_is_reported()
    {
        const int Checks = 200_000;
        var gmail = new SendLimits { MessagesPerHour = SendLimits.MaxLimit, MessagesPerDay = SendLimits.MaxLimit };
        var refusing = new SendLimits { MessagesPerMinute = 1 };

        // 4,096 accounts in turn keep each under its 65,535-a-bucket ceiling for the whole test. No per-second
        // limit: a 40 ms bucket holds at most 255, which a loop of checks on one account fills.
        var keys = Enumerable.Range(0, 4096).Select(i => $"smtp.gmail.com|owner{i:D4}@paws.example").ToArray();
        var lookup = new ConcurrentDictionary<string, ushort[]>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            lookup[key] = new ushort[8];
        }

        var next = 0;
        var lookupNs = Measure(() => lookup.TryGetValue(keys[next++ & 4095], out _), Checks);
        var clockNs = Measure(() => TimeProvider.System.GetTimestamp() != 0, Checks);
        foreach (var (clock, name) in new[] { (TimeProvider.System, "system clock"), (new CountingTimeProvider(), "counter clock") })
        {
            var store = new InMemorySendQuotaStore(clock);
            var allowedNs = Measure(() => store.TryAcquire(keys[next++ & 4095], gmail, 1).IsAllowed, Checks);
            var refusedNs = Measure(() => !store.TryAcquire("refused", refusing, 1).IsAllowed, Checks);
            output.WriteLine($"{name}: allowed {allowedNs:F1} ns, refused {refusedNs:F1} ns per check; without the lookup: allowed {allowedNs - lookupNs:F1} ns, refused {refusedNs - lookupNs:F1} ns");
        }

        output.WriteLine($"dictionary lookup {lookupNs:F1} ns, system clock read {clockNs:F1} ns");
    }

    /// <summary>A clock that costs next to nothing to read, to show the store's own share of a check.</summary>
    private sealed class CountingTimeProvider : TimeProvider
    {
        private long ticks;

        public override long TimestampFrequency => 10_000_000;

        public override long GetTimestamp() => ticks += 3;
    }

    private static double Measure(Func<bool> check, int count)
    {
        // Long enough for tiered compilation to replace the first, unoptimized code (it waits ~100 ms).
        var warmUp = Stopwatch.StartNew();
        while (warmUp.ElapsedMilliseconds < 250)
        {
            check();
        }

        var ok = 0;
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            ok += check() ? 1 : 0;
        }

        watch.Stop();
        ok.Should().Be(count);
        return watch.Elapsed.TotalNanoseconds / count;
    }
}

/// <summary>Runs the measurements alone, so other tests' threads do not skew them.</summary>
[CollectionDefinition(nameof(SendQuotaFiguresTests), DisableParallelization = true)]
public sealed class SendQuotaFiguresGroup;
