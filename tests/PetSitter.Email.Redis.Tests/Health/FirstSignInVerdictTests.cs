using PetSitter.Email.Redis.Tests.Support;

namespace PetSitter.Email.Redis.Tests.Health;

/// <summary>
/// The fleet's first sign-in with new settings, one verdict at a time, on a fake clock that says when a send starts
/// waiting: the instance that signs in first, the ones that wait for it, and what ends their wait.
/// </summary>
[Collection(RedisGroup.Name)]
public sealed class FirstSignInVerdictTests(RedisFixture redis) : IAsyncLifetime
{
    private const string BusinessId = "paws";

    /// <summary>Bounds a wait that only a broken verdict would leave hanging (real clock, never reached when the test passes).</summary>
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(30);

    private readonly TimerWatchingClock _clock = new(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero));
    private readonly string _prefix = RedisFixture.NewPrefix();
    private readonly Fleet _fleet = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _fleet.DisposeAsync().AsTask();

    private DateTimeOffset Now => _clock.GetUtcNow();

    [Fact]
    public async Task A_send_waiting_for_a_first_sign_in_that_never_reports_tries_itself_when_the_first_sign_in_wait_is_over()
    {
        var (first, followerInstance) = (Breaker(), NewInstance());
        var follower = followerInstance.Get<RedisAccountBreaker>();
        (await first.CheckAsync(BusinessId, "v1", Now, default)).Should().Be(AccountGate.Allowed, "the first instance signs in for the fleet (and then its process stops)");

        var waiting = follower.CheckAsync(BusinessId, "v1", Now, default).AsTask();
        await _clock.NextWaitAsync().WaitAsync(Hang);
        _clock.Advance(FirstSignInWait);
        var waitsAgain = _clock.NextWaitAsync();

        (await Task.WhenAny(waiting, waitsAgain).WaitAsync(Hang)).Should().BeSameAs(waiting, "the first-sign-in wait is over at exactly its length");
        (await waiting).Should().Be(AccountGate.Allowed, "the follower signs in itself");
        (follower.FirstSignInWaits, follower.LongestFirstSignInWait).Should().Be((1, FirstSignInWait), "the wait the fleet runner reports is the one the send made");
    }

    [Fact]
    public async Task A_send_waiting_for_a_first_sign_in_goes_on_as_soon_as_it_succeeds()
    {
        var (first, follower) = (Breaker(), Breaker());
        (await first.CheckAsync(BusinessId, "v1", Now, default)).Should().Be(AccountGate.Allowed);
        var waiting = follower.CheckAsync(BusinessId, "v1", Now, default).AsTask();
        await _clock.NextWaitAsync().WaitAsync(Hang);

        await first.RecordSuccessAsync(BusinessId, "v1", Now, default);
        ReachBackstop();
        var waitsAgain = _clock.NextWaitAsync();

        (await Task.WhenAny(waiting, waitsAgain).WaitAsync(Hang)).Should().BeSameAs(waiting, "the success is the verdict: the follower does not wait out the first-sign-in wait");
        (await waiting).Should().Be(AccountGate.Allowed);
        (await Breaker().CheckAsync(BusinessId, "v1", Now, default)).Should().Be(AccountGate.Allowed, "the settings have signed in: nobody waits any more");
    }

    [Fact]
    public async Task A_send_that_misses_the_announcement_of_a_first_sign_in_finds_it_at_its_next_look_a_quarter_second_later()
    {
        var (first, followerInstance) = (Breaker(), NewInstance());
        (await first.CheckAsync(BusinessId, "v1", Now, default)).Should().Be(AccountGate.Allowed);
        var waiting = followerInstance.Get<IAccountBreaker>().CheckAsync(BusinessId, "v1", Now, default).AsTask();
        await _clock.NextWaitAsync().WaitAsync(Hang);

        // The verdict as the first instance's success writes it, its announcement lost (a subscription reconnecting
        // at that moment): only the follower's own look can find it.
        var (signedIn, _) = followerInstance.Get<RedisConnection>().Keys.FirstSignIn(BusinessId);
        await redis.Admin.StringSetAsync(signedIn, "v1");
        ReachBackstop();

        (await Task.WhenAny(waiting, _clock.NextWaitAsync()).WaitAsync(Hang)).Should().BeSameAs(waiting, "the follower looks again after a quarter second, not when the first sign-in's claim runs out");
        (await waiting).Should().Be(AccountGate.Allowed);
    }

    [Fact]
    public async Task A_first_send_refused_at_MAIL_FROM_for_its_size_proves_the_sign_in_and_no_instance_waits_after_it()
    {
        var first = Breaker();
        (await first.CheckAsync(BusinessId, "v1", Now, default)).Should().Be(AccountGate.Allowed);

        // A server that checks the SIZE the client declares refuses at MAIL FROM, after sign-in; the generic wording
        // from /work/shared/providers.md ("too large").
        await first.RecordFailureAsync(BusinessId, "v1", MessageFailure(SmtpFailureKind.MessageRejected, SmtpStage.MailFrom, 552, "5.3.4 Message size exceeds fixed maximum message size", transient: false), Now, null, default);

        (await Breaker().CheckAsync(BusinessId, "v1", Now, default)).Should().Be(AccountGate.Allowed);
        var third = Breaker().CheckAsync(BusinessId, "v1", Now, default).AsTask();
        (await Task.WhenAny(third, _clock.NextWaitAsync()).WaitAsync(Hang)).Should().BeSameAs(third, "the settings signed in: no instance waits for another's first sign-in");
        (await third).Should().Be(AccountGate.Allowed);
    }

    [Fact]
    public async Task A_first_send_that_failed_at_the_greeting_hands_the_first_sign_in_to_one_other_send_and_the_rest_still_wait()
    {
        var first = Breaker();
        (await first.CheckAsync(BusinessId, "v1", Now, default)).Should().Be(AccountGate.Allowed);

        // Gmail's temporary refusal at the greeting (/work/shared/providers.md, "temporary"): nothing is known of the password.
        await first.RecordFailureAsync(BusinessId, "v1", MessageFailure(SmtpFailureKind.Transient, SmtpStage.Greeting, 421, "4.3.0 Temporary System Problem. Try again later", transient: true), Now, null, default);

        var second = Breaker();
        (await second.CheckAsync(BusinessId, "v1", Now, default)).Should().Be(AccountGate.Allowed, "the next send signs in first now");
        var third = Breaker().CheckAsync(BusinessId, "v1", Now, default).AsTask();
        var waited = _clock.NextWaitAsync();
        (await Task.WhenAny(third, waited).WaitAsync(Hang)).Should().BeSameAs(waited, "the settings have still not signed in anywhere: one sign-in at a time");

        await second.RecordSuccessAsync(BusinessId, "v1", Now, default);
        ReachBackstop();
        (await third.WaitAsync(Hang)).Should().Be(AccountGate.Allowed);
    }

    [Fact]
    public async Task A_send_waiting_for_a_first_sign_in_whose_claim_runs_out_before_the_next_poll_looks_again_when_it_runs_out()
    {
        // The claim's end is the Redis server's clock, not the test's: the claim is cut to the last quarter second of
        // its wait on the server, and the follower must look at it again before the server drops it. On a machine too
        // slow for that the follower finds the claim gone and signs in at once, proving nothing: then again.
        Task<TimeSpan>? next = null;
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            var business = $"paws-{attempt}";
            var (first, followerInstance) = (Breaker(), NewInstance());
            (await first.CheckAsync(business, "v1", Now, default)).Should().Be(AccountGate.Allowed, "the first instance signs in for the fleet (and then its process stops)");
            var waiting = followerInstance.Get<IAccountBreaker>().CheckAsync(business, "v1", Now, default).AsTask();
            (await (next ?? _clock.NextWaitAsync()).WaitAsync(Hang)).Should().Be(Poll, "a claim with most of its wait left is looked at again at the next poll");

            // As the claim stands a little before the first-sign-in wait ends, on the server that ends it.
            var (_, claim) = followerInstance.Get<RedisConnection>().Keys.FirstSignIn(business);
            (await redis.Admin.KeyExpireAsync(claim, TimeSpan.FromMilliseconds(240))).Should().BeTrue();
            next = _clock.NextWaitAsync();
            ReachBackstop();
            if (await Task.WhenAny(waiting, next).WaitAsync(Hang) == waiting)
            {
                // The wait still being read is the next attempt's first.
                continue;
            }

            (await next).Should().BeLessThan(Poll, "the follower looks again when the claim runs out, not a whole poll later");
            while (true)
            {
                next = _clock.NextWaitAsync();
                _clock.Advance(Poll);
                if (await Task.WhenAny(waiting, next).WaitAsync(Hang) == waiting)
                {
                    break;
                }
            }

            (await waiting).Should().Be(AccountGate.Allowed, "the claim ran out: the follower signs in itself");
            return;
        }

        Assert.Fail("In five attempts the follower never looked at the claim within its last quarter second.");
    }

    private static TimeSpan Poll => TimeSpan.FromMilliseconds(250);

    private static TimeSpan FirstSignInWait => new RedisEmailOptions().FirstSignInWait;

    /// <summary>
    /// Moves the clock past a waiting send's poll (250 ms), the backstop for an announcement that arrives before the
    /// subscription is in place: the follower then reads the verdict from Redis whether or not the message reached it.
    /// </summary>
    private void ReachBackstop() => _clock.Advance(TimeSpan.FromMilliseconds(250));

    private static SmtpFailure MessageFailure(SmtpFailureKind kind, SmtpStage stage, int code, string reply, bool transient) =>
        new(kind, false, transient, $"Advice for {kind}.", stage, code, reply);

    private IAccountBreaker Breaker() => NewInstance().Get<IAccountBreaker>();

    private Instance NewInstance()
    {
        var instance = new Instance(redis.ConnectionString, _prefix, _clock, new Settings());
        _fleet.Add(instance);
        return instance;
    }
}
