using Microsoft.Extensions.Time.Testing;

namespace PetSitter.Email.Tests.Sending;

public sealed class SmtpAccountLanesTests
{
    private static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(30);

    private readonly FakeTimeProvider _time = new();
    private readonly SmtpAccountLanes _lanes;

    public SmtpAccountLanesTests() => _lanes = new SmtpAccountLanes(_time, WaitTimeout);

    [Fact]
    public async Task Until_a_sign_in_succeeds_one_send_at_a_time_is_in_the_lane()
    {
        var first = await _lanes.EnterAsync("mailbox", 3, CancellationToken.None);
        var second = _lanes.EnterAsync("mailbox", 3, CancellationToken.None).AsTask();

        second.IsCompleted.Should().BeFalse("the first send has not shown that the credentials work");
        first.Waited.Should().BeFalse();
        first.Dispose();
        var turn = await second;
        turn.Waited.Should().BeTrue("only a send that waited can learn something from the sends ahead of it");
        turn.Dispose();
        _lanes.ActiveLanes.Should().Be(0);
    }

    [Fact]
    public async Task After_a_sign_in_the_lane_widens_to_the_connection_cap()
    {
        var first = await _lanes.EnterAsync("mailbox", 3, CancellationToken.None);
        first.SignedIn();

        var second = _lanes.EnterAsync("mailbox", 3, CancellationToken.None).AsTask();
        var third = _lanes.EnterAsync("mailbox", 3, CancellationToken.None).AsTask();
        var fourth = _lanes.EnterAsync("mailbox", 3, CancellationToken.None).AsTask();

        second.IsCompletedSuccessfully.Should().BeTrue();
        third.IsCompletedSuccessfully.Should().BeTrue();
        fourth.IsCompleted.Should().BeFalse("three sends are the cap");
        first.SignedIn();
        fourth.IsCompleted.Should().BeFalse("a second report widens nothing");
        (await second).Dispose();
        (await fourth).Dispose();
        first.Dispose();
        (await third).Dispose();
        _lanes.ActiveLanes.Should().Be(0);
    }

    [Fact]
    public async Task A_lane_left_by_its_last_send_starts_narrow_again()
    {
        var first = await _lanes.EnterAsync("mailbox", 3, CancellationToken.None);
        first.SignedIn();
        first.Dispose();

        var next = await _lanes.EnterAsync("mailbox", 3, CancellationToken.None);
        var after = _lanes.EnterAsync("mailbox", 3, CancellationToken.None).AsTask();

        after.IsCompleted.Should().BeFalse();
        next.Dispose();
        (await after).Dispose();
    }

    [Fact]
    public async Task Accounts_do_not_wait_for_each_other()
    {
        using var paws = await _lanes.EnterAsync("paws", 3, CancellationToken.None);

        var claws = _lanes.EnterAsync("claws", 3, CancellationToken.None).AsTask();

        claws.IsCompletedSuccessfully.Should().BeTrue();
        (await claws).Dispose();
    }

    [Fact]
    public async Task A_wait_longer_than_the_wait_timeout_times_out_and_gives_up_its_place()
    {
        var first = await _lanes.EnterAsync("mailbox", 3, CancellationToken.None);
        var waiting = _lanes.EnterAsync("mailbox", 3, CancellationToken.None).AsTask();

        _time.Advance(WaitTimeout - TimeSpan.FromMilliseconds(1));
        waiting.IsCompleted.Should().BeFalse();
        _time.Advance(TimeSpan.FromMilliseconds(1));

        (await waiting.Invoking(w => w).Should().ThrowAsync<SmtpAccountLanes.TurnTimeoutException>())
            .Which.BeforeSignIn.Should().BeTrue("it waited behind the first sign-in, not for a free connection");
        first.Dispose();
        _lanes.ActiveLanes.Should().Be(0);
    }

    [Fact]
    public async Task A_wait_that_times_out_in_a_widened_lane_says_every_connection_was_busy()
    {
        var first = await _lanes.EnterAsync("mailbox", 2, CancellationToken.None);
        first.SignedIn();
        var second = await _lanes.EnterAsync("mailbox", 2, CancellationToken.None);
        var waiting = _lanes.EnterAsync("mailbox", 2, CancellationToken.None).AsTask();

        _time.Advance(WaitTimeout);

        (await waiting.Invoking(w => w).Should().ThrowAsync<SmtpAccountLanes.TurnTimeoutException>())
            .Which.BeforeSignIn.Should().BeFalse("the account had signed in and both its connections were in use");
        first.Dispose();
        second.Dispose();
        _lanes.ActiveLanes.Should().Be(0);
    }

    [Fact]
    public async Task A_cancelled_wait_throws_and_gives_up_its_place()
    {
        var first = await _lanes.EnterAsync("mailbox", 3, CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var waiting = _lanes.EnterAsync("mailbox", 3, cancel.Token).AsTask();

        await cancel.CancelAsync();

        await waiting.Invoking(w => w).Should().ThrowAsync<OperationCanceledException>();
        var next = _lanes.EnterAsync("mailbox", 3, CancellationToken.None).AsTask();
        first.Dispose();
        (await next).Dispose();
        _lanes.ActiveLanes.Should().Be(0);
    }

    [Fact]
    public async Task A_send_that_gave_up_waiting_lets_no_other_send_in_beside_the_one_in_the_lane()
    {
        var first = await _lanes.EnterAsync("mailbox", 3, CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var gaveUp = _lanes.EnterAsync("mailbox", 3, cancel.Token).AsTask();
        await cancel.CancelAsync();
        await gaveUp.Invoking(w => w).Should().ThrowAsync<OperationCanceledException>();

        var next = _lanes.EnterAsync("mailbox", 3, CancellationToken.None).AsTask();

        next.IsCompleted.Should().BeFalse("the first send has not signed in yet, so it is still one at a time");
        first.Dispose();
        (await next).Dispose();
        _lanes.ActiveLanes.Should().Be(0);
    }

    [Fact]
    public async Task A_wait_the_caller_cancels_as_the_wait_timeout_ends_is_reported_cancelled_not_timed_out()
    {
        // A timed-out wait reads as a busy server, which the sender answers with the fallback: a send its caller
        // cancelled must not go out that way.
        var first = await _lanes.EnterAsync("mailbox", 3, CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var waiting = _lanes.EnterAsync("mailbox", 3, cancel.Token).AsTask();

        // The caller's deadline and the wait timeout at the same moment: the clock reaches the timeout while the
        // caller's cancellation is under way (registered after the lane's own, so it runs first).
        using var sameMoment = cancel.Token.Register(() => _time.Advance(WaitTimeout));
        await cancel.CancelAsync();

        await waiting.Invoking(w => w).Should().ThrowAsync<OperationCanceledException>();
        first.Dispose();
        _lanes.ActiveLanes.Should().Be(0);
    }

    [Fact]
    public async Task A_lane_left_by_one_account_starts_narrow_and_at_its_own_cap_for_the_next()
    {
        // An emptied lane is kept for reuse: what the last account learned (signed in, three wide) must not carry over.
        var paws = await _lanes.EnterAsync("paws", 3, CancellationToken.None);
        paws.SignedIn();
        paws.Dispose();

        var claws = await _lanes.EnterAsync("claws", 2, CancellationToken.None);
        var behind = _lanes.EnterAsync("claws", 2, CancellationToken.None).AsTask();
        behind.IsCompleted.Should().BeFalse("the new account has not signed in yet");

        claws.SignedIn();
        var second = await behind;
        var third = _lanes.EnterAsync("claws", 2, CancellationToken.None).AsTask();
        third.IsCompleted.Should().BeFalse("two sends are this account's cap");

        claws.Dispose();
        second.Dispose();
        (await third).Dispose();
        _lanes.ActiveLanes.Should().Be(0);
    }

    [Fact]
    public async Task A_send_given_its_turn_as_it_gives_up_hands_the_turn_to_the_send_behind_it()
    {
        var first = await _lanes.EnterAsync("mailbox", 3, CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var givesUp = _lanes.EnterAsync("mailbox", 3, cancel.Token).AsTask();
        var behind = _lanes.EnterAsync("mailbox", 3, CancellationToken.None).AsTask();

        // The turn is given (its continuation queued to the thread pool) and the wait cancelled on this thread before that
        // continuation runs: CancelAsync would run the cancellation on the thread pool too, behind it.
        GiveTurnThenCancel(first, cancel);

        try
        {
            // The continuation may still win on a busy machine: then the send took its turn, and leaves it normally.
            (await givesUp).Dispose();
        }
        catch (OperationCanceledException)
        {
            // Gave up holding a turn it had been given: that turn must pass on.
        }

        var turn = await behind.WaitAsync(TimeSpan.FromSeconds(30));
        turn.Dispose();
        _lanes.ActiveLanes.Should().Be(0);
    }

    private static void GiveTurnThenCancel(SmtpAccountLanes.Turn turn, CancellationTokenSource cancel)
    {
        turn.Dispose();
        cancel.Cancel();
    }
}
