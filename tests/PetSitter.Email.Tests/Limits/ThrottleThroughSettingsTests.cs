using Microsoft.Extensions.Time.Testing;

namespace PetSitter.Email.Tests.Limits;

/// <summary>
/// The throttle's checks through a settings instance (the SMTP channel's way, which skips the key lookup with the
/// in-memory store) answer what a check by key answers: a cancelled call is cancelled and counts nothing, the key
/// passed decides the account, and another account's waiting send costs a check nothing.
/// </summary>
public sealed class ThrottleThroughSettingsTests
{
    private readonly FakeTimeProvider time = new();
    private readonly InMemorySendQuotaStore store;
    private readonly SendThrottle throttle;
    private readonly SmtpAccountSettings owner = new() { Host = "smtp.gmail.com", UserName = "owner@paws.example", FromAddress = "owner@paws.example" };

    public ThrottleThroughSettingsTests()
    {
        store = new InMemorySendQuotaStore(time);
        throttle = new SendThrottle(store, time, TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task A_check_through_the_settings_instance_with_a_cancelled_token_is_cancelled_and_counts_nothing()
    {
        var limits = new SendLimits { MessagesPerDay = 10 };
        (await throttle.AcquireAsync(owner, owner.LimitKey(), limits, 1, null, null, CancellationToken.None)).IsAllowed.Should().BeTrue();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var check = async () => await throttle.AcquireAsync(owner, owner.LimitKey(), limits, 1, null, null, cancelled.Token);

        await check.Should().ThrowAsync<OperationCanceledException>();
        store.Get(owner.LimitKey())!.MessagesLastDay.Should().Be(1);
    }

    [Fact]
    public async Task A_look_through_the_settings_instance_with_a_cancelled_token_is_cancelled()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var look = async () => await SendThrottle.PeekAsync(store, owner, owner.LimitKey(), new SendLimits { MessagesPerDay = 10 }, 1, cancelled.Token);

        await look.Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task A_check_for_a_key_other_than_the_settings_instances_own_is_counted_under_that_key()
    {
        var limits = new SendLimits { MessagesPerDay = 1 };
        const string Other = "smtp.gmail.com|bookings@paws.example";

        (await throttle.AcquireAsync(owner, Other, limits, 1, null, null, CancellationToken.None)).IsAllowed.Should().BeTrue();
        (await SendThrottle.PeekAsync(store, owner, Other, limits, 1, CancellationToken.None)).Window.Should().Be(LimitWindow.MessagesPerDay);

        store.Get(Other)!.MessagesLastDay.Should().Be(1);
        store.Get(owner.LimitKey()).Should().BeNull("nothing was sent under the owner's own key");
        (await throttle.AcquireAsync(owner, owner.LimitKey(), limits, 1, null, null, CancellationToken.None)).IsAllowed.Should().BeTrue();
    }

    [Fact]
    public async Task While_one_account_waits_for_its_next_second_another_accounts_checks_answer_at_once_and_allocate_nothing()
    {
        var busy = new SendLimits { MessagesPerSecond = 1 };
        (await throttle.AcquireAsync("smtp.gmail.com|busy@paws.example", busy, 1, CancellationToken.None)).IsAllowed.Should().BeTrue();
        var waiting = throttle.AcquireAsync("smtp.gmail.com|busy@paws.example", busy, 1, CancellationToken.None).AsTask();
        waiting.IsCompleted.Should().BeFalse("the busy account's next slot is a second away");

        var limits = new SendLimits { MessagesPerDay = SendLimits.MaxLimit };
        var key = owner.LimitKey();
        for (var i = 0; i < 100; i++)
        {
            Completed(throttle.AcquireAsync(owner, key, limits, 1, null, null, CancellationToken.None));
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var allowed = 0;
        for (var i = 0; i < 100; i++)
        {
            allowed += Completed(throttle.AcquireAsync(owner, key, limits, 1, null, null, CancellationToken.None)).IsAllowed ? 1 : 0;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        allowed.Should().Be(100);
        allocated.Should().Be(0);
        time.Advance(TimeSpan.FromMilliseconds(1_040));
        (await waiting.WaitAsync(TimeSpan.FromSeconds(10))).IsAllowed.Should().BeTrue();
    }

    private static QuotaDecision Completed(ValueTask<QuotaDecision> pending) =>
        pending.IsCompletedSuccessfully ? pending.Result : throw new InvalidOperationException("The check waited.");
}
