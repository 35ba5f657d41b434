using System.Globalization;
using Microsoft.Extensions.Time.Testing;

namespace PetSitter.Email.Benchmarks;

/// <summary>
/// Memory per tracked account (<c>--account-memory</c>): <see cref="GC.GetTotalMemory(bool)"/> before and after
/// 100,000 accounts each send once, for the quota store and for the partitioned baseline, with the same
/// second/hour/day preset. The keys exist before the first reading: they are the caller's strings either way.
/// </summary>
internal static class AccountMemoryHarness
{
    private const int Accounts = 100_000;
    private static readonly SendLimits Limits = new() { MessagesPerSecond = 2, MessagesPerHour = 100, MessagesPerDay = 500 };

    public static int Run(TextWriter output)
    {
        var keys = Keys(Accounts);

        var store = new InMemorySendQuotaStore(new FakeTimeProvider());
        var ours = Measure(() =>
        {
            foreach (var key in keys)
            {
                store.TryAcquire(key, Limits, 1);
            }
        });
        if (store.TrackedAccounts != Accounts)
        {
            throw new InvalidOperationException($"The store tracks {store.TrackedAccounts} accounts, not {Accounts}.");
        }

        // As the SMTP channel checks: through the cells cached on each account's settings instance (two fields of it, no
        // object of their own). The settings exist before the first reading: they are the caller's objects.
        var settings = Enumerable.Range(0, Accounts)
            .Select(static i => new SmtpAccountSettings { Host = "smtp.gmail.com", UserName = string.Create(CultureInfo.InvariantCulture, $"owner{i}@paws.example"), FromAddress = "owner@paws.example" })
            .ToArray();
        foreach (var account in settings)
        {
            account.LimitKey();
        }

        var handled = new InMemorySendQuotaStore(new FakeTimeProvider());
        var withHandles = Measure(() =>
        {
            foreach (var account in settings)
            {
                handled.TryAcquire(account, Limits, 1);
            }
        });

        using var baseline = RateLimiterBaselines.TokenBucketAndSlidingWindows(2, 100, 500);
        var partitioned = Measure(() =>
        {
            foreach (var key in keys)
            {
                baseline.Chained.AttemptAcquire(key).Dispose();
            }
        });

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"memory per tracked account, {Accounts:N0} accounts, limits {Limits}:"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  InMemorySendQuotaStore               {ours / (double)Accounts,8:F1} B"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  InMemorySendQuotaStore, cached       {withHandles / (double)Accounts,8:F1} B"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  PartitionedRateLimiter.CreateChained {partitioned / (double)Accounts,8:F1} B"));
        GC.KeepAlive(store);
        GC.KeepAlive(handled);
        GC.KeepAlive(settings);
        GC.KeepAlive(keys);
        return 0;
    }

    internal static string[] Keys(int count) =>
        [.. Enumerable.Range(0, count).Select(static i => string.Create(CultureInfo.InvariantCulture, $"SMTP.GMAIL.COM:OWNER{i}@PAWS.EXAMPLE"))];

    private static long Measure(Action track)
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        track();
        return GC.GetTotalMemory(forceFullCollection: true) - before;
    }
}
