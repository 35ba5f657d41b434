using Microsoft.Extensions.Time.Testing;

namespace PetSitter.Email.Tests.Limits;

public class InMemorySendQuotaStoreTests
{
    private const string Account = "smtp.gmail.com|owner@paws.example";
    private readonly FakeTimeProvider time = new();
    private readonly InMemorySendQuotaStore store;

    public InMemorySendQuotaStoreTests() => store = new InMemorySendQuotaStore(time);

    [Fact]
    public void Sends_are_allowed_up_to_the_limit_then_refused_by_that_window()
    {
        var limits = new SendLimits { MessagesPerMinute = 3 };

        Acquire(limits, 3).Should().OnlyContain(decision => decision.IsAllowed);
        var refused = store.TryAcquire(Account, limits, 1);

        refused.IsAllowed.Should().BeFalse();
        refused.Window.Should().Be(LimitWindow.MessagesPerMinute);
        refused.CanRetry.Should().BeTrue();
    }

    [Fact]
    public void Retry_after_is_exact_to_the_millisecond_a_send_may_go_again()
    {
        var limits = new SendLimits { MessagesPerMinute = 2 };
        Acquire(limits, 2);

        var refused = store.TryAcquire(Account, limits, 1);
        // The bucket of 2 s holding both sends is counted until it has wholly left the 60 s window.
        refused.RetryAfter.Should().Be(TimeSpan.FromSeconds(62));

        time.Advance(refused.RetryAfter - TimeSpan.FromMilliseconds(1));
        store.TryAcquire(Account, limits, 1).IsAllowed.Should().BeFalse();
        time.Advance(TimeSpan.FromMilliseconds(1));
        store.TryAcquire(Account, limits, 1).IsAllowed.Should().BeTrue();
    }

    [Fact]
    public void Retry_after_frees_only_as_many_buckets_as_the_send_needs()
    {
        var limits = new SendLimits { MessagesPerHour = 3 };
        store.TryAcquire(Account, limits, 1).IsAllowed.Should().BeTrue();
        time.Advance(TimeSpan.FromMinutes(10));
        Acquire(limits, 2);

        // The oldest send (bucket 0 of 2-minute buckets) leaves after 31 buckets = 62 min from the start.
        store.TryAcquire(Account, limits, 1).RetryAfter.Should().Be(TimeSpan.FromMinutes(52));
    }

    [Fact]
    public void A_refusal_counts_nothing()
    {
        var limits = new SendLimits { MessagesPerMinute = 1 };
        Acquire(limits, 1);
        for (var i = 0; i < 5; i++)
        {
            store.TryAcquire(Account, limits, 1).IsAllowed.Should().BeFalse();
        }

        time.Advance(TimeSpan.FromSeconds(62));
        store.TryAcquire(Account, limits, 1).IsAllowed.Should().BeTrue();
    }

    [Fact]
    public void More_recipients_than_a_message_may_have_is_refused_at_once_and_counts_nothing()
    {
        var limits = new SendLimits { RecipientsPerMessage = 100, MessagesPerDay = 1 };

        var refused = store.TryAcquire(Account, limits, 101);

        refused.Window.Should().Be(LimitWindow.RecipientsPerMessage);
        refused.CanRetry.Should().BeFalse();
        store.TryAcquire(Account, limits, 100).IsAllowed.Should().BeTrue();
    }

    [Fact]
    public void A_message_with_more_recipients_than_a_whole_day_allows_can_never_pass()
    {
        var refused = store.TryAcquire(Account, new SendLimits { RecipientsPerDay = 50 }, 51);

        refused.Window.Should().Be(LimitWindow.RecipientsPerMessage);
        refused.CanRetry.Should().BeFalse();
    }

    [Fact]
    public void Recipients_per_day_counts_recipients_not_messages()
    {
        var limits = new SendLimits { RecipientsPerDay = 10 };

        store.TryAcquire(Account, limits, 6).IsAllowed.Should().BeTrue();
        store.TryAcquire(Account, limits, 4).IsAllowed.Should().BeTrue();
        var refused = store.TryAcquire(Account, limits, 1);

        refused.Window.Should().Be(LimitWindow.RecipientsPerDay);
        refused.RetryAfter.Should().Be(TimeSpan.FromHours(25));
    }

    [Fact]
    public void The_refusal_names_the_window_with_the_longest_wait()
    {
        var limits = new SendLimits { MessagesPerSecond = 1, MessagesPerDay = 2 };
        store.TryAcquire(Account, limits, 1).IsAllowed.Should().BeTrue();
        time.Advance(TimeSpan.FromSeconds(5));
        store.TryAcquire(Account, limits, 1).IsAllowed.Should().BeTrue();

        // Both the per-second and the daily window refuse; only the day's wait makes the send possible.
        var refused = store.TryAcquire(Account, limits, 1);

        refused.Window.Should().Be(LimitWindow.MessagesPerDay);
        refused.RetryAfter.Should().Be(TimeSpan.FromHours(25) - TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Accounts_are_counted_separately()
    {
        var limits = new SendLimits { MessagesPerDay = 1 };

        store.TryAcquire("a", limits, 1).IsAllowed.Should().BeTrue();
        store.TryAcquire("b", limits, 1).IsAllowed.Should().BeTrue();
        store.TryAcquire("a", limits, 1).IsAllowed.Should().BeFalse();
    }

    [Fact]
    public void Unlimited_accounts_are_allowed_without_being_tracked()
    {
        store.TryAcquire(Account, SendLimits.None, 1_000).IsAllowed.Should().BeTrue();

        store.TrackedAccounts.Should().Be(0);
    }

    [Fact]
    public void A_provider_quota_reply_holds_the_account_until_the_reset_even_when_our_count_allows()
    {
        var limits = new SendLimits { MessagesPerDay = 500 };
        store.TryAcquire(Account, limits, 1).IsAllowed.Should().BeTrue();

        store.MarkExhausted(Account, time.GetUtcNow().AddHours(3), "550 5.4.5 Daily user sending limit exceeded");
        var refused = store.TryAcquire(Account, limits, 1);

        refused.Window.Should().Be(LimitWindow.ProviderExhausted);
        refused.RetryAfter.Should().Be(TimeSpan.FromHours(3));
        time.Advance(TimeSpan.FromHours(3));
        store.TryAcquire(Account, limits, 1).IsAllowed.Should().BeTrue();
    }

    [Fact]
    public void A_provider_hold_applies_to_an_account_with_no_limits_of_its_own()
    {
        store.MarkExhausted(Account, time.GetUtcNow().AddMinutes(59), "450 Mail send limit exceeded.");

        store.TryAcquire(Account, SendLimits.None, 1).Window.Should().Be(LimitWindow.ProviderExhausted);
        time.Advance(TimeSpan.FromMinutes(59));
        store.TryAcquire(Account, SendLimits.None, 1).IsAllowed.Should().BeTrue();
    }

    [Fact]
    public void An_earlier_reset_does_not_shorten_a_running_hold_but_a_later_one_extends_it()
    {
        var now = time.GetUtcNow();
        store.MarkExhausted(Account, now.AddHours(5), "first");
        store.MarkExhausted(Account, now.AddHours(1), "earlier");
        store.TryAcquire(Account, SendLimits.None, 1).RetryAfter.Should().Be(TimeSpan.FromHours(5));

        store.MarkExhausted(Account, now.AddHours(8), "later");
        store.TryAcquire(Account, SendLimits.None, 1).RetryAfter.Should().Be(TimeSpan.FromHours(8));
    }

    [Fact]
    public void A_reset_time_already_past_holds_nothing()
    {
        store.MarkExhausted(Account, time.GetUtcNow().AddMinutes(-1), "stale reply");

        store.TryAcquire(Account, SendLimits.None, 1).IsAllowed.Should().BeTrue();
    }

    [Fact]
    public void When_the_hold_and_a_window_both_refuse_the_longer_wait_wins()
    {
        var limits = new SendLimits { MessagesPerDay = 1 };
        Acquire(limits, 1);

        store.MarkExhausted(Account, time.GetUtcNow().AddHours(1), "quota");

        var refused = store.TryAcquire(Account, limits, 1);
        refused.Window.Should().Be(LimitWindow.MessagesPerDay);
        refused.RetryAfter.Should().Be(TimeSpan.FromHours(25));
    }

    [Fact]
    public void Limits_that_gain_a_window_keep_counting_the_windows_they_had()
    {
        Acquire(new SendLimits { MessagesPerDay = 5 }, 3);

        var grown = new SendLimits { MessagesPerDay = 5, MessagesPerHour = 100 };

        Acquire(grown, 2).Should().OnlyContain(decision => decision.IsAllowed);
        store.TryAcquire(Account, grown, 1).Window.Should().Be(LimitWindow.MessagesPerDay);
    }

    [Fact]
    public void A_window_unset_for_a_while_still_counts_the_sends_made_meanwhile()
    {
        Acquire(new SendLimits { MessagesPerDay = 3 }, 1);
        Acquire(new SendLimits { MessagesPerHour = 10 }, 2);

        store.TryAcquire(Account, new SendLimits { MessagesPerDay = 3 }, 1).Window.Should().Be(LimitWindow.MessagesPerDay);
    }

    [Fact]
    public void An_idle_account_is_reset_when_touched_again()
    {
        var limits = new SendLimits { MessagesPerDay = 2 };
        Acquire(limits, 2);

        time.Advance(TimeSpan.FromDays(3));

        Acquire(limits, 2).Should().OnlyContain(decision => decision.IsAllowed);
    }

    [Fact]
    public void Snapshot_reports_the_counted_windows_and_the_hold()
    {
        var limits = new SendLimits { MessagesPerMinute = 30, RecipientsPerDay = 100 };
        store.TryAcquire(Account, limits, 3);
        store.TryAcquire(Account, limits, 4);
        var until = time.GetUtcNow().AddHours(2);
        store.MarkExhausted(Account, until, "554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException");

        var snapshot = store.Get(Account);

        snapshot.Should().NotBeNull();
        snapshot!.AsOf.Should().Be(time.GetUtcNow());
        snapshot.MessagesLastMinute.Should().Be(2);
        snapshot.RecipientsLastDay.Should().Be(7);
        snapshot.MessagesLastSecond.Should().BeNull();
        snapshot.MessagesLastDay.Should().BeNull();
        snapshot.ExhaustedUntil.Should().Be(until);
        snapshot.ExhaustedReason.Should().Contain("SubmissionQuotaExceeded");
    }

    [Fact]
    public void Snapshot_forgets_sends_that_left_their_window()
    {
        var limits = new SendLimits { MessagesPerMinute = 30, MessagesPerDay = 100 };
        Acquire(limits, 2);

        time.Advance(TimeSpan.FromMinutes(2));
        var snapshot = store.Get(Account)!;

        snapshot.MessagesLastMinute.Should().Be(0);
        snapshot.MessagesLastDay.Should().Be(2);
        snapshot.ExhaustedUntil.Should().BeNull();
    }

    [Fact]
    public void An_unknown_account_has_no_snapshot() => store.Get("nobody").Should().BeNull();

    [Fact]
    public void Idle_accounts_are_dropped_by_later_inserts_without_any_timer()
    {
        var limits = new SendLimits { MessagesPerDay = 10 };
        for (var i = 0; i < 10; i++)
        {
            store.TryAcquire($"old-{i}", limits, 1);
        }

        time.Advance(TimeSpan.FromHours(25));
        for (var i = 0; i < 40; i++)
        {
            store.TryAcquire($"new-{i}", limits, 1);
        }

        store.TrackedAccounts.Should().Be(40);
    }

    [Fact]
    public void Accounts_still_counting_are_never_dropped()
    {
        var limits = new SendLimits { MessagesPerDay = 1 };
        store.TryAcquire(Account, limits, 1);

        time.Advance(TimeSpan.FromHours(24));
        for (var i = 0; i < 40; i++)
        {
            store.TryAcquire($"new-{i}", limits, 1);
        }

        store.TrackedAccounts.Should().Be(41);
        store.TryAcquire(Account, limits, 1).IsAllowed.Should().BeFalse();
    }

    [Fact]
    public void A_held_account_is_not_dropped_while_the_hold_runs()
    {
        store.MarkExhausted(Account, time.GetUtcNow().AddDays(2), "quota");

        time.Advance(TimeSpan.FromDays(1));
        for (var i = 0; i < 10; i++)
        {
            store.TryAcquire($"new-{i}", new SendLimits { MessagesPerDay = 1 }, 1);
        }

        store.TryAcquire(Account, SendLimits.None, 1).Window.Should().Be(LimitWindow.ProviderExhausted);
    }

    [Fact]
    public async Task The_async_calls_complete_synchronously_and_honour_cancellation()
    {
        var limits = new SendLimits { MessagesPerDay = 1 };

        Completed(store.TryAcquireAsync(Account, limits, 1)).IsAllowed.Should().BeTrue();
        await store.MarkExhaustedAsync(Account, time.GetUtcNow().AddHours(1), "quota");
        (await store.GetAsync(Account))!.ExhaustedReason.Should().Be("quota");

        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var act = async () => await store.TryAcquireAsync(Account, limits, 1, cancelled.Token);
        await act.Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public void Allowed_and_refused_checks_allocate_nothing()
    {
        var limits = ProviderPresets.GoogleWorkspace.Limits with { MessagesPerSecond = 1_000_000, MessagesPerDay = 1_000_000, RecipientsPerDay = 1_000_000 };
        var refusing = new SendLimits { MessagesPerMinute = 1 };
        WarmUp(limits, refusing);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var allowed = 0;
        var refused = 0;
        for (var i = 0; i < 10_000; i++)
        {
            allowed += Completed(store.TryAcquireAsync(Account, limits, 1)).IsAllowed ? 1 : 0;
            refused += Completed(store.TryAcquireAsync("refused", refusing, 1)).IsAllowed ? 0 : 1;
            time.Advance(TimeSpan.FromMilliseconds(7));
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        allowed.Should().Be(10_000);
        refused.Should().BeGreaterThan(9_000);
        allocated.Should().Be(0);
    }

    [Fact]
    public void Concurrent_acquires_never_exceed_a_limit()
    {
        var limits = new SendLimits { MessagesPerMinute = 100, RecipientsPerDay = 250 };
        var allowed = 0;
        var recipients = 0;

        Parallel.For(0, 20_000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var count = (i % 3) + 1;
            if (store.TryAcquire(Account, limits, count).IsAllowed)
            {
                Interlocked.Increment(ref allowed);
                Interlocked.Add(ref recipients, count);
            }
        });

        allowed.Should().BeLessThanOrEqualTo(100);
        recipients.Should().BeLessThanOrEqualTo(250);
        (allowed == 100 || recipients > 247).Should().BeTrue("the store refuses only when a limit is reached");
    }

    [Fact]
    public void Concurrent_acquires_with_changing_limits_never_exceed_the_shared_window()
    {
        var plain = new SendLimits { MessagesPerDay = 50 };
        var grown = new SendLimits { MessagesPerDay = 50, MessagesPerHour = 1_000, MessagesPerSecond = 1_000 };
        var allowed = 0;

        Parallel.For(0, 10_000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            if (store.TryAcquire(Account, i % 2 == 0 ? plain : grown, 1).IsAllowed)
            {
                Interlocked.Increment(ref allowed);
            }
        });

        allowed.Should().Be(50);
    }

    [Fact]
    public void Concurrent_inserts_that_drop_idle_accounts_never_lose_a_count()
    {
        var limits = new SendLimits { MessagesPerDay = 5 };
        var old = Enumerable.Range(0, 200).Select(i => $"old-{i}").ToArray();
        foreach (var key in old)
        {
            Acquire(key, limits, 5);
        }

        time.Advance(TimeSpan.FromHours(25));
        var allowed = new int[old.Length];

        Parallel.For(0, 40_000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            if (i % 2 == 0)
            {
                store.TryAcquire($"new-{i}", limits, 1);
            }
            else if (store.TryAcquire(old[i / 2 % old.Length], limits, 1).IsAllowed)
            {
                Interlocked.Increment(ref allowed[i / 2 % old.Length]);
            }
        });

        allowed.Should().OnlyContain(count => count == 5);
    }

    /// <summary>Reads a result that must already be there: the in-memory store never completes later.</summary>
    private static QuotaDecision Completed(ValueTask<QuotaDecision> pending) =>
        pending.IsCompletedSuccessfully ? pending.Result : throw new InvalidOperationException("The check did not complete synchronously.");

    private void WarmUp(SendLimits limits, SendLimits refusing)
    {
        for (var i = 0; i < 200; i++)
        {
            _ = Completed(store.TryAcquireAsync(Account, limits, 1));
            _ = Completed(store.TryAcquireAsync("refused", refusing, 1));
            time.Advance(TimeSpan.FromMilliseconds(7));
        }
    }

    private List<QuotaDecision> Acquire(SendLimits limits, int count) => Acquire(Account, limits, count);

    private List<QuotaDecision> Acquire(string key, SendLimits limits, int count) =>
        Enumerable.Range(0, count).Select(_ => store.TryAcquire(key, limits, 1)).ToList();
}
