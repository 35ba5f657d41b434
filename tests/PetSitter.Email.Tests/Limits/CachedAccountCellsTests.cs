using Microsoft.Extensions.Time.Testing;

namespace PetSitter.Email.Tests.Limits;

/// <summary>
/// The account's cells the in-memory store caches on the settings instance the SMTP channel checks for
/// (<see cref="SmtpAccountSettings.QuotaCells"/>): a check through them counts in the same windows as a check by key,
/// and cells left stale by the idle sweep or by growth are noticed, so a send is never counted where the store no
/// longer looks (never-exceed holds).
/// </summary>
public sealed class CachedAccountCellsTests
{
    private readonly FakeTimeProvider time = new();
    private readonly InMemorySendQuotaStore store;
    private readonly SmtpAccountSettings owner = new() { Host = "smtp.gmail.com", UserName = "owner@paws.example", FromAddress = "owner@paws.example" };

    public CachedAccountCellsTests() => store = new InMemorySendQuotaStore(time);

    private string Key => owner.LimitKey();

    [Fact]
    public void Checks_through_the_settings_instance_and_by_key_share_one_count()
    {
        var limits = new SendLimits { MessagesPerDay = 3 };

        Through(limits).IsAllowed.Should().BeTrue();
        store.TryAcquire(Key, limits, 1).IsAllowed.Should().BeTrue();
        Through(limits).IsAllowed.Should().BeTrue();

        Through(limits).Window.Should().Be(LimitWindow.MessagesPerDay, "three sends were counted, whichever way");
        store.TryAcquire(Key, limits, 1).IsAllowed.Should().BeFalse();
        store.Get(Key)!.MessagesLastDay.Should().Be(3);
    }

    [Fact]
    public void The_account_is_resolved_once_per_settings_instance_while_its_entry_lives()
    {
        var limits = new SendLimits { MessagesPerDay = 100 };
        Through(limits);
        var cells = owner.QuotaCells;

        for (var i = 0; i < 10; i++)
        {
            Through(limits).IsAllowed.Should().BeTrue();
            store.Peek(owner, limits, 1).IsAllowed.Should().BeTrue();
        }

        cells.Should().NotBeNull();
        owner.QuotaCells.Should().BeSameAs(cells);
    }

    [Fact]
    public void A_look_at_an_account_the_store_does_not_know_neither_adds_it_nor_caches_cells()
    {
        store.Peek(owner, new SendLimits { MessagesPerDay = 1 }, 1).IsAllowed.Should().BeTrue();

        owner.QuotaCells.Should().BeNull();
        owner.QuotaStoreId.Should().Be(0, "no store claimed the instance");
        store.TrackedAccounts.Should().Be(0);
    }

    [Fact]
    public void A_send_through_cells_the_sweep_left_stale_counts_in_the_account_the_store_holds_now()
    {
        var limits = new SendLimits { MessagesPerDay = 2 };
        Through(limits).IsAllowed.Should().BeTrue();
        var stale = owner.QuotaCells;

        // A day and more idle, then other accounts' first sends sweep it away; the cells stay cached on the settings.
        time.Advance(TimeSpan.FromHours(25));
        SweepWithNewAccounts(limits);
        store.Get(Key).Should().BeNull("the sweep dropped the idle account");

        Through(limits).IsAllowed.Should().BeTrue();
        owner.QuotaCells.Should().NotBeSameAs(stale, "the stale cells were replaced");
        store.Get(Key)!.MessagesLastDay.Should().Be(1, "the send was counted where the store looks, not in the dropped cells");
        store.TryAcquire(Key, limits, 1).IsAllowed.Should().BeTrue();
        Through(limits).IsAllowed.Should().BeFalse("two sends in the day");
    }

    [Fact]
    public void Cells_cached_before_the_sweep_never_let_a_send_past_a_window_filled_by_key_since()
    {
        // The race the cache must not lose: the account is swept while a settings instance still holds its cells,
        // another sender (by key) starts a new entry and fills the day; the instance with the stale cells comes back.
        var limits = new SendLimits { MessagesPerDay = 2 };
        FillTheDayByKeyAfterTheCachedCellsWereSwept(limits);

        var late = Through(limits);

        late.IsAllowed.Should().BeFalse("the day already holds two sends: counting in the dropped cells would make it three");
        late.Window.Should().Be(LimitWindow.MessagesPerDay);
        store.Get(Key)!.MessagesLastDay.Should().Be(2);
    }

    [Fact]
    public void Cells_cached_before_they_grew_never_let_a_send_past_the_counts_carried_over()
    {
        var day = new SendLimits { MessagesPerDay = 3 };
        var dayAndMinute = new SendLimits { MessagesPerMinute = 10, MessagesPerDay = 3 };
        Through(day).IsAllowed.Should().BeTrue();
        var stale = owner.QuotaCells;

        // A per-minute limit appears (the owner saved new limits): the cells are replaced by a larger layout.
        store.TryAcquire(Key, dayAndMinute, 1).IsAllowed.Should().BeTrue();
        store.TryAcquire(Key, dayAndMinute, 1).IsAllowed.Should().BeTrue();

        var late = Through(day);

        late.IsAllowed.Should().BeFalse("the grown cells hold three sends of the day; the old ones, one");
        owner.QuotaCells.Should().NotBeSameAs(stale);
        store.Get(Key)!.MessagesLastDay.Should().Be(3);
        store.Get(Key)!.MessagesLastMinute.Should().Be(2);
    }

    [Fact]
    public void Cells_grown_through_a_settings_instance_keep_the_count_and_the_cache_follows_them()
    {
        var day = new SendLimits { MessagesPerDay = 2 };
        var dayAndHour = new SendLimits { MessagesPerHour = 10, MessagesPerDay = 2 };
        Through(day).IsAllowed.Should().BeTrue();
        var first = owner.QuotaCells;

        Through(dayAndHour).IsAllowed.Should().BeTrue();
        var grown = owner.QuotaCells;

        grown.Should().NotBeSameAs(first);
        Through(dayAndHour).IsAllowed.Should().BeFalse();
        Through(day).IsAllowed.Should().BeFalse();
        owner.QuotaCells.Should().BeSameAs(grown, "no further growth, no further resolution");
        store.Get(Key)!.MessagesLastHour.Should().Be(1, "the hour is counted from when it was first asked for");
    }

    [Fact]
    public void A_refusal_remembered_through_cached_cells_is_forgotten_when_the_account_is_swept()
    {
        var limits = new SendLimits { MessagesPerDay = 1 };
        Through(limits).IsAllowed.Should().BeTrue();
        Through(limits).IsAllowed.Should().BeFalse();

        time.Advance(TimeSpan.FromHours(25));
        SweepWithNewAccounts(limits);

        Through(limits).IsAllowed.Should().BeTrue("the day is over; the dropped cells' remembered refusal no longer speaks");
    }

    [Fact]
    public void A_settings_instance_checked_by_two_stores_is_counted_by_each_in_its_own_windows()
    {
        var other = new InMemorySendQuotaStore(time);
        var limits = new SendLimits { MessagesPerDay = 1 };

        Through(limits).IsAllowed.Should().BeTrue();
        var mine = owner.QuotaCells;
        other.TryAcquire(owner, limits, 1).IsAllowed.Should().BeTrue("the other store has counted nothing for the account");
        owner.QuotaCells.Should().BeSameAs(mine, "the first store to check the instance keeps it; the other looks the key up");

        Through(limits).IsAllowed.Should().BeFalse("this store still holds its own send");
        other.TryAcquire(owner, limits, 1).IsAllowed.Should().BeFalse();
        other.Get(Key)!.MessagesLastDay.Should().Be(1);
    }

    [Fact]
    public void Two_settings_instances_of_one_mailbox_share_its_count_and_a_new_instance_costs_no_allocation()
    {
        var limits = new SendLimits { MessagesPerDay = 2 };
        Through(limits).IsAllowed.Should().BeTrue();
        var reloaded = new SmtpAccountSettings { Host = owner.Host, UserName = owner.UserName, FromAddress = owner.FromAddress };
        reloaded.LimitKey();

        var before = GC.GetAllocatedBytesForCurrentThread();
        var second = store.TryAcquire(reloaded, limits, 1);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        second.IsAllowed.Should().BeTrue();
        allocated.Should().Be(0, "resolving an instance caches the cells in two of its fields, no object of its own");
        reloaded.QuotaCells.Should().BeSameAs(owner.QuotaCells);
        Through(limits).IsAllowed.Should().BeFalse("the mailbox sent twice, from two settings instances");
    }

    [Fact]
    public async Task Senders_with_their_own_settings_instances_and_changing_limits_never_pass_the_day_limit_together()
    {
        // Four threads, each with its own settings instance for the same mailbox (as a provider building settings per
        // business would give them), half asking with a per-minute limit too, so the cells grow under cached ones.
        const int Limit = 500;
        var day = new SendLimits { MessagesPerDay = Limit };
        var dayAndMinute = new SendLimits { MessagesPerMinute = 100_000, MessagesPerDay = Limit };
        var allowed = 0;
        using var start = new Barrier(4);
        var senders = Enumerable.Range(0, 4).Select(n => Task.Factory.StartNew(
            () =>
            {
                var mine = new SmtpAccountSettings { Host = owner.Host, UserName = owner.UserName, FromAddress = owner.FromAddress };
                start.SignalAndWait();
                for (var i = 0; i < 400; i++)
                {
                    var limits = (n + i) % 2 == 0 ? day : dayAndMinute;
                    var decision = i % 3 == 0
                        ? store.TryAcquire(mine.LimitKey(), limits, 1)
                        : store.TryAcquire(mine, limits, 1);
                    if (decision.IsAllowed)
                    {
                        Interlocked.Increment(ref allowed);
                    }
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default)).ToArray();

        await Task.WhenAll(senders);

        allowed.Should().Be(Limit, "1,600 attempts on one clock instant: exactly the day's limit gets through");
        store.Get(Key)!.MessagesLastDay.Should().Be(Limit);
    }

    [Fact]
    public void A_check_through_cached_cells_allocates_nothing_allowed_or_refused()
    {
        var roomy = new SendLimits { MessagesPerSecond = 1_000_000, MessagesPerDay = 1_000_000 };
        var full = new SmtpAccountSettings { Host = "smtp.gmail.com", UserName = "full@paws.example", FromAddress = "full@paws.example" };
        var tight = new SendLimits { MessagesPerDay = 1 };
        Through(roomy).IsAllowed.Should().BeTrue();
        store.TryAcquire(full, tight, 1).IsAllowed.Should().BeTrue();
        store.TryAcquire(full, tight, 1).IsAllowed.Should().BeFalse();

        var before = GC.GetAllocatedBytesForCurrentThread();
        var allowed = 0;
        var refused = 0;
        for (var i = 0; i < 10_000; i++)
        {
            allowed += Through(roomy).IsAllowed ? 1 : 0;
            refused += store.TryAcquire(full, tight, 1).IsAllowed ? 0 : 1;
            time.Advance(TimeSpan.FromMilliseconds(7));
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        allowed.Should().Be(10_000);
        refused.Should().Be(10_000);
        allocated.Should().Be(0);
    }

    [Fact]
    public void A_refusal_remembered_in_cells_that_grew_since_is_not_answered_from_them()
    {
        var minute = new SendLimits { MessagesPerMinute = 1 };
        var minuteAndHour = new SendLimits { MessagesPerMinute = 5, MessagesPerHour = 10 };
        Through(minute).IsAllowed.Should().BeTrue();
        Through(minute).RetryAfter.Should().Be(TimeSpan.FromSeconds(62));

        // Another sender with limits that add the hour: the cells grow and count a second send, 10 s later.
        time.Advance(TimeSpan.FromSeconds(10));
        store.TryAcquire(Key, minuteAndHour, 1).IsAllowed.Should().BeTrue();

        var late = Through(minute);

        late.Window.Should().Be(LimitWindow.MessagesPerMinute);
        late.RetryAfter.Should().Be(TimeSpan.FromSeconds(62), "the second send leaves the minute 72 s after the first, not 62 s");
    }

    [Fact]
    public void A_look_through_cells_the_sweep_dropped_sees_the_counts_made_by_key_since()
    {
        var limits = new SendLimits { MessagesPerDay = 2 };
        FillTheDayByKeyAfterTheCachedCellsWereSwept(limits);

        var look = store.Peek(owner, limits, 1);

        look.Window.Should().Be(LimitWindow.MessagesPerDay, "the account the store holds now has two sends of the day");
    }

    private QuotaDecision Through(SendLimits limits) => store.TryAcquire(owner, limits, 1);

    /// <summary>New accounts' first sends: each examines the next entries of the store's sweep.</summary>
    /// <summary>
    /// The settings instance caches its cells with a send, the account then idles out and is swept, and another
    /// sender (by key) starts a new entry and fills the day: the instance still holds the dropped cells.
    /// </summary>
    private void FillTheDayByKeyAfterTheCachedCellsWereSwept(SendLimits limits)
    {
        Through(limits).IsAllowed.Should().BeTrue();
        time.Advance(TimeSpan.FromHours(25));
        SweepWithNewAccounts(limits);
        store.TryAcquire(Key, limits, 1).IsAllowed.Should().BeTrue();
        store.TryAcquire(Key, limits, 1).IsAllowed.Should().BeTrue();
    }

    private void SweepWithNewAccounts(SendLimits limits)
    {
        for (var i = 0; i < 8; i++)
        {
            store.TryAcquire($"SMTP.GMAIL.COM:NEW{i}@PAWS.EXAMPLE", limits, 1).IsAllowed.Should().BeTrue();
        }
    }
}

/// <summary>Marketing's share of an account's limits, cached on the settings instance so a marketing check looks nothing up.</summary>
public sealed class MarketingLimitsCacheTests
{
    private readonly FakeTimeProvider time = new();
    private readonly SmtpAccountSettings owner = new() { Host = "smtp.gmail.com", UserName = "owner@paws.example", FromAddress = "owner@paws.example" };

    [Fact]
    public void Marketing_share_is_worked_out_once_per_settings_instance()
    {
        var reserve = new MarketingReserve(new InMemorySendQuotaStore(time), time, new SendLimitOptions());
        var limits = new SendLimits { MessagesPerHour = 100, MessagesPerDay = 500 };

        var first = Share(reserve, limits, EmailCategory.Marketing);
        var again = Share(reserve, limits, EmailCategory.Marketing);

        first.MessagesPerHour.Should().Be(60);
        first.MessagesPerDay.Should().Be(300);
        again.Should().BeSameAs(first);
    }

    [Fact]
    public void A_cached_share_follows_the_limits_and_the_share_it_is_asked_for()
    {
        var store = new InMemorySendQuotaStore(time);
        var sixty = new MarketingReserve(store, time, new SendLimitOptions());
        var thirty = new MarketingReserve(store, time, new SendLimitOptions { MarketingSharePercent = 30 });
        Share(sixty, new SendLimits { MessagesPerHour = 100 }, EmailCategory.Marketing).MessagesPerHour.Should().Be(60);

        Share(sixty, new SendLimits { MessagesPerHour = 200 }, EmailCategory.Marketing).MessagesPerHour.Should().Be(120, "the owner saved new limits");
        Share(thirty, new SendLimits { MessagesPerHour = 200 }, EmailCategory.Marketing).MessagesPerHour.Should().Be(60, "another share");
        var full = new SendLimits { MessagesPerHour = 200 };
        Share(sixty, full, EmailCategory.Invoice).Should().BeSameAs(full, "direct mail is checked against the account's own limits");
    }

    private SendLimits Share(MarketingReserve reserve, SendLimits limits, EmailCategory category)
    {
        var pending = reserve.ForAsync(owner, owner.LimitKey(), limits, category, CancellationToken.None);
        // With the warm-up off no history is asked for: answered at once.
        return pending.IsCompletedSuccessfully ? pending.Result.Limits : throw new InvalidOperationException("The share was not answered at once.");
    }
}
