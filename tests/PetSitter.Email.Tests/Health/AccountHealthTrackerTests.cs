using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PetSitter.Email.Tests.Support;
using static PetSitter.Email.Tests.Support.PolicyTestData;

namespace PetSitter.Email.Tests.Health;

public class AccountHealthTrackerTests
{
    private const string Business = "paws";
    private const string Credentials = "FINGERPRINT-1";
    private readonly FakeTimeProvider _time = new(Start);
    private readonly AccountHealthOptions _options = new();
    private readonly List<AccountHealthChangedEventArgs> _events = [];

    private AccountHealthTracker Tracker()
    {
        var tracker = new AccountHealthTracker(Options.Create(_options), _time, TestLogging.For<AccountHealthTracker>());
        tracker.HealthChanged += (_, e) =>
        {
            lock (_events)
            {
                _events.Add(e);
            }
        };
        return tracker;
    }

    private DateTimeOffset Now => _time.GetUtcNow();

    [Fact]
    public void Wrong_password_opens_the_breaker_after_one_failure()
    {
        var tracker = Tracker();
        tracker.Check(Business, Credentials, Now).IsAllowed.Should().BeTrue();

        tracker.RecordFailure(Business, Credentials, Failure(SmtpFailureKind.AuthenticationFailed), Now);

        var gate = tracker.Check(Business, Credentials, Now);
        gate.IsAllowed.Should().BeFalse();
        gate.Failure!.Kind.Should().Be(SmtpFailureKind.AuthenticationFailed);
        gate.RetryAt.Should().Be(Start + TimeSpan.FromHours(6));
        var health = tracker.GetHealth(Business);
        health.State.Should().Be(AccountHealthState.Failing);
        health.Kind.Should().Be(SmtpFailureKind.AuthenticationFailed);
        health.Since.Should().Be(Start);
        health.Until.Should().Be(Start + TimeSpan.FromHours(6));
        health.LastReply.Should().Be("5.7.8 Username and Password not accepted.");
    }

    [Theory]
    [InlineData(SmtpFailureKind.AuthenticationFailed)]
    [InlineData(SmtpFailureKind.CredentialsExpired)]
    public void Wrong_credentials_cost_one_sign_in_attempt_per_probe_interval(SmtpFailureKind kind)
    {
        var tracker = Tracker();
        var attempts = 0;

        // Twelve hours of sends, one a minute, with a password that never works.
        for (var minute = 0; minute < 12 * 60; minute++)
        {
            var gate = tracker.Check(Business, Credentials, Now);
            if (gate.IsAllowed)
            {
                attempts++;
                tracker.RecordFailure(Business, Credentials, Failure(kind), Now);
            }

            _time.Advance(TimeSpan.FromMinutes(1));
        }

        attempts.Should().Be(2, "the first send fails, then exactly one probe after six hours");
        tracker.GetHealth(Business).State.Should().Be(AccountHealthState.Failing);
    }

    [Fact]
    public void Probe_is_admitted_when_the_probe_interval_has_passed_and_not_before()
    {
        _options.CredentialProbeInterval = TimeSpan.FromHours(2);
        var tracker = Tracker();
        tracker.RecordFailure(Business, Credentials, Failure(SmtpFailureKind.AuthenticationFailed), Now);

        _time.Advance(TimeSpan.FromHours(2) - TimeSpan.FromTicks(1));
        tracker.Check(Business, Credentials, Now).IsAllowed.Should().BeFalse();

        _time.Advance(TimeSpan.FromTicks(1));
        var probe = tracker.Check(Business, Credentials, Now);
        probe.IsAllowed.Should().BeTrue();
        probe.IsProbe.Should().BeTrue();
    }

    [Fact]
    public void Exactly_one_probe_is_admitted_when_many_sends_arrive_at_once()
    {
        var tracker = Tracker();
        tracker.RecordFailure(Business, Credentials, Failure(SmtpFailureKind.AuthenticationFailed), Now);
        _time.Advance(TimeSpan.FromHours(6));
        var now = Now;
        var allowed = 0;
        var probes = 0;
        using var start = new Barrier(8);

        var threads = Enumerable.Range(0, 8).Select(_ => new Thread(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < 500; i++)
            {
                var gate = tracker.Check(Business, Credentials, now);
                if (gate.IsAllowed)
                {
                    Interlocked.Increment(ref allowed);
                }

                if (gate.IsProbe)
                {
                    Interlocked.Increment(ref probes);
                }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        allowed.Should().Be(1);
        probes.Should().Be(1);
    }

    [Fact]
    public void Sends_waiting_on_a_probe_are_told_when_to_look_again()
    {
        var tracker = Tracker();
        tracker.RecordFailure(Business, Credentials, Failure(SmtpFailureKind.AuthenticationFailed), Now);
        _time.Advance(TimeSpan.FromHours(6));
        tracker.Check(Business, Credentials, Now).IsProbe.Should().BeTrue();

        var waiting = tracker.Check(Business, Credentials, Now);

        waiting.IsAllowed.Should().BeFalse();
        waiting.Failure!.Kind.Should().Be(SmtpFailureKind.AuthenticationFailed);
        waiting.RetryAt.Should().Be(Now + _options.ProbeTimeout);
    }

    [Fact]
    public void Successful_probe_makes_the_account_healthy()
    {
        var tracker = Tracker();
        tracker.RecordFailure(Business, Credentials, Failure(SmtpFailureKind.AuthenticationFailed), Now);
        _time.Advance(TimeSpan.FromHours(6));
        tracker.Check(Business, Credentials, Now).IsProbe.Should().BeTrue();

        tracker.RecordSuccess(Business, Credentials, Now);

        tracker.GetHealth(Business).State.Should().Be(AccountHealthState.Healthy);
        tracker.Check(Business, Credentials, Now).Should().Be(AccountGate.Allowed);
        _events.Select(e => e.State).Should().Equal(AccountHealthState.Failing, AccountHealthState.Healthy);
    }

    [Fact]
    public void Failed_probe_blocks_for_another_full_interval()
    {
        var tracker = Tracker();
        tracker.RecordFailure(Business, Credentials, Failure(SmtpFailureKind.AuthenticationFailed), Now);
        _time.Advance(TimeSpan.FromHours(6));
        tracker.Check(Business, Credentials, Now).IsProbe.Should().BeTrue();

        tracker.RecordFailure(Business, Credentials, Failure(SmtpFailureKind.AuthenticationFailed), Now);

        tracker.Check(Business, Credentials, Now).RetryAt.Should().Be(Now + TimeSpan.FromHours(6));
        tracker.GetHealth(Business).Since.Should().Be(Start, "the account has been failing since the first failure");
        _events.Should().ContainSingle("a failed probe does not change the state or the kind");
    }

    [Fact]
    public void Changing_the_credentials_resets_the_account_at_once_and_raises_the_event()
    {
        var tracker = Tracker();
        tracker.RecordFailure(Business, Credentials, Failure(SmtpFailureKind.AuthenticationFailed), Now);
        _time.Advance(TimeSpan.FromMinutes(10));

        var gate = tracker.Check(Business, "FINGERPRINT-2", Now);

        gate.Should().Be(AccountGate.Allowed);
        gate.IsProbe.Should().BeFalse();
        tracker.GetHealth(Business).Should().BeEquivalentTo(new { State = AccountHealthState.Healthy, Kind = (SmtpFailureKind?)null, Since = Now });
        var reset = _events.Last();
        reset.Previous.State.Should().Be(AccountHealthState.Failing);
        reset.Previous.Kind.Should().Be(SmtpFailureKind.AuthenticationFailed);
        reset.Current.State.Should().Be(AccountHealthState.Healthy);
        reset.ChangedAt.Should().Be(Now);
    }

    [Fact]
    public void A_failure_reported_with_the_old_credentials_after_a_change_is_ignored()
    {
        var tracker = Tracker();
        tracker.Check(Business, Credentials, Now);
        tracker.Check(Business, "FINGERPRINT-2", Now);

        tracker.RecordFailure(Business, Credentials, Failure(SmtpFailureKind.AuthenticationFailed), Now);

        tracker.GetHealth(Business).IsHealthy.Should().BeTrue();
        tracker.Check(Business, "FINGERPRINT-2", Now).IsAllowed.Should().BeTrue();
        _events.Should().BeEmpty();
    }

    [Fact]
    public void Quota_throttles_the_account_until_the_window_resets_then_it_is_healthy()
    {
        var tracker = Tracker();
        var resetsAt = Start + TimeSpan.FromHours(3);

        tracker.RecordFailure(Business, Credentials, Failure(SmtpFailureKind.SendLimitReached), Now, resetsAt);

        var blocked = tracker.Check(Business, Credentials, Now);
        blocked.IsAllowed.Should().BeFalse();
        blocked.RetryAt.Should().Be(resetsAt);
        blocked.Failure!.Kind.Should().Be(SmtpFailureKind.SendLimitReached);
        tracker.GetHealth(Business).Should().BeEquivalentTo(new { State = AccountHealthState.Throttled, Until = (DateTimeOffset?)resetsAt });

        _time.Advance(TimeSpan.FromHours(3) - TimeSpan.FromSeconds(1));
        tracker.Check(Business, Credentials, Now).IsAllowed.Should().BeFalse();

        _time.Advance(TimeSpan.FromSeconds(1));
        var gate = tracker.Check(Business, Credentials, Now);
        gate.IsAllowed.Should().BeTrue();
        gate.IsProbe.Should().BeFalse("after the provider's reset every send may go, not only a probe");
        tracker.Check(Business, Credentials, Now).IsAllowed.Should().BeTrue();
        _events.Select(e => (e.Previous.State, e.Current.State)).Should().Equal(
            (AccountHealthState.Healthy, AccountHealthState.Throttled),
            (AccountHealthState.Throttled, AccountHealthState.Healthy));
    }

    [Fact]
    public void Quota_without_a_reset_time_throttles_for_the_default_duration()
    {
        _options.DefaultThrottleDuration = TimeSpan.FromMinutes(45);
        var tracker = Tracker();

        tracker.RecordFailure(Business, Credentials, Failure(SmtpFailureKind.SendLimitReached), Now, resetsAt: null);

        tracker.Check(Business, Credentials, Now).RetryAt.Should().Be(Start + TimeSpan.FromMinutes(45));
    }

    [Fact]
    public void A_reset_time_in_the_past_is_not_trusted()
    {
        var tracker = Tracker();

        tracker.RecordFailure(Business, Credentials, Failure(SmtpFailureKind.SendLimitReached), Now, Start - TimeSpan.FromMinutes(1));

        tracker.Check(Business, Credentials, Now).RetryAt.Should().Be(Start + _options.DefaultThrottleDuration);
    }

    [Fact]
    public void A_later_quota_reply_moves_the_reset_time_later_but_never_earlier()
    {
        var tracker = Tracker();
        tracker.RecordFailure(Business, Credentials, Failure(SmtpFailureKind.SendLimitReached), Now, Start + TimeSpan.FromHours(2));

        tracker.RecordFailure(Business, Credentials, Failure(SmtpFailureKind.SendLimitReached), Now, Start + TimeSpan.FromHours(1));
        tracker.GetHealth(Business).Until.Should().Be(Start + TimeSpan.FromHours(2));

        tracker.RecordFailure(Business, Credentials, Failure(SmtpFailureKind.SendLimitReached), Now, Start + TimeSpan.FromHours(5));
        tracker.GetHealth(Business).Until.Should().Be(Start + TimeSpan.FromHours(5));
        _events.Should().ContainSingle();
    }

    [Fact]
    public void A_success_from_a_send_let_through_before_the_quota_reply_does_not_end_the_throttle()
    {
        var tracker = Tracker();
        tracker.RecordFailure(Business, Credentials, Failure(SmtpFailureKind.SendLimitReached), Now, Start + TimeSpan.FromHours(1));

        tracker.RecordSuccess(Business, Credentials, Now);

        tracker.GetHealth(Business).State.Should().Be(AccountHealthState.Throttled);
    }

    [Fact]
    public void A_lapsed_throttle_reads_as_healthy_without_a_send()
    {
        var tracker = Tracker();
        tracker.RecordFailure(Business, Credentials, Failure(SmtpFailureKind.SendLimitReached), Now, Start + TimeSpan.FromHours(1));
        tracker.GetUnhealthy().Should().ContainSingle();

        _time.Advance(TimeSpan.FromHours(1));

        tracker.GetHealth(Business).State.Should().Be(AccountHealthState.Healthy);
        tracker.GetUnhealthy().Should().BeEmpty();
        _events.Last().Current.State.Should().Be(AccountHealthState.Healthy);
    }

    [Theory]
    [InlineData(SmtpFailureKind.AccountUnavailable)]
    [InlineData(SmtpFailureKind.Misconfigured)]
    [InlineData(SmtpFailureKind.ProviderRequirementsChanged)]
    public void Other_account_failures_are_probed_at_growing_intervals(SmtpFailureKind kind)
    {
        var tracker = Tracker();
        tracker.RecordFailure(Business, Credentials, Failure(kind), Now);
        var waits = new List<TimeSpan>();

        for (var probe = 0; probe < 6; probe++)
        {
            var blocked = tracker.Check(Business, Credentials, Now);
            blocked.IsAllowed.Should().BeFalse();
            waits.Add(blocked.RetryAt!.Value - Now);
            _time.Advance(waits[^1]);
            tracker.Check(Business, Credentials, Now).IsProbe.Should().BeTrue();
            tracker.RecordFailure(Business, Credentials, Failure(kind), Now);
        }

        waits.Select(w => w.TotalMinutes).Should().Equal(1, 4, 16, 60, 60, 60);
    }

    [Fact]
    public void Growing_intervals_start_again_after_the_account_recovers()
    {
        var tracker = Tracker();
        tracker.RecordFailure(Business, Credentials, Failure(SmtpFailureKind.AccountUnavailable), Now);
        _time.Advance(TimeSpan.FromMinutes(1));
        tracker.Check(Business, Credentials, Now);
        tracker.RecordFailure(Business, Credentials, Failure(SmtpFailureKind.AccountUnavailable), Now);
        _time.Advance(TimeSpan.FromMinutes(4));
        tracker.Check(Business, Credentials, Now).IsProbe.Should().BeTrue();
        tracker.RecordSuccess(Business, Credentials, Now);

        tracker.RecordFailure(Business, Credentials, Failure(SmtpFailureKind.AccountUnavailable), Now);

        tracker.Check(Business, Credentials, Now).RetryAt.Should().Be(Now + TimeSpan.FromMinutes(1));
    }

    [Theory]
    [InlineData(SmtpFailureKind.Transient)]
    [InlineData(SmtpFailureKind.RecipientRejected)]
    [InlineData(SmtpFailureKind.MessageRejected)]
    public void Transient_and_message_level_failures_do_not_open_the_breaker(SmtpFailureKind kind)
    {
        var tracker = Tracker();
        tracker.Check(Business, Credentials, Now);

        for (var i = 0; i < 50; i++)
        {
            tracker.RecordFailure(Business, Credentials, Failure(kind), Now);
        }

        tracker.Check(Business, Credentials, Now).IsAllowed.Should().BeTrue();
        tracker.GetHealth(Business).IsHealthy.Should().BeTrue();
        _events.Should().BeEmpty();
    }

    [Fact]
    public void Three_spam_refusals_within_an_hour_close_the_gate_to_marketing_only_until_a_day_passes()
    {
        var tracker = Tracker();
        for (var i = 0; i < 3; i++)
        {
            tracker.RecordFailure(Business, Credentials, Failure(SmtpFailureKind.RejectedAsSpam), Now);
            _time.Advance(TimeSpan.FromMinutes(29));
        }

        var gate = tracker.Check(Business, Credentials, Now);
        gate.IsAllowed.Should().BeTrue("documents and general mail still go over SMTP");
        gate.For(EmailCategory.Invoice).IsAllowed.Should().BeTrue();
        gate.For(EmailCategory.General).IsAllowed.Should().BeTrue();
        var marketing = gate.For(EmailCategory.Marketing);
        marketing.IsAllowed.Should().BeFalse();
        marketing.Failure!.Kind.Should().Be(SmtpFailureKind.RejectedAsSpam);
        marketing.Failure.IsAccountLevel.Should().BeTrue();
        _events.Should().ContainSingle().Which.Current.Should().BeEquivalentTo(new { State = AccountHealthState.Failing, Kind = (SmtpFailureKind?)SmtpFailureKind.RejectedAsSpam });

        // A success (an invoice) does not end it; a shared breaker's "closed" does not either.
        tracker.RecordSuccess(Business, Credentials, Now);
        tracker.Mirror(Business, Credentials, AccountBreakerState.Closed, Now);
        tracker.Check(Business, Credentials, Now).For(EmailCategory.Marketing).IsAllowed.Should().BeFalse();
        _events.Should().ContainSingle();

        _time.Advance(AccountHealthTracker.MarketingPauseDuration);
        tracker.Check(Business, Credentials, Now).For(EmailCategory.Marketing).IsAllowed.Should().BeTrue();
        tracker.GetHealth(Business).IsHealthy.Should().BeTrue();
        _events.Should().HaveCount(2);
    }

    [Fact]
    public void New_settings_end_the_marketing_pause()
    {
        var tracker = Tracker();
        for (var i = 0; i < 3; i++)
        {
            tracker.RecordFailure(Business, Credentials, Failure(SmtpFailureKind.RejectedAsSpam), Now);
        }

        tracker.Check(Business, "FINGERPRINT-2", Now).For(EmailCategory.Marketing).IsAllowed.Should().BeTrue();
        tracker.GetHealth(Business).IsHealthy.Should().BeTrue();
    }

    [Fact]
    public void An_account_failure_during_the_marketing_pause_shows_first_and_the_pause_returns_when_it_clears()
    {
        var tracker = Tracker();
        for (var i = 0; i < 3; i++)
        {
            tracker.RecordFailure(Business, Credentials, Failure(SmtpFailureKind.RejectedAsSpam), Now);
        }

        tracker.RecordFailure(Business, Credentials, Failure(SmtpFailureKind.AccountUnavailable), Now);
        tracker.GetHealth(Business).Kind.Should().Be(SmtpFailureKind.AccountUnavailable);
        _time.Advance(TimeSpan.FromMinutes(1));
        tracker.Check(Business, Credentials, Now).IsProbe.Should().BeTrue();
        tracker.RecordSuccess(Business, Credentials, Now);

        tracker.GetHealth(Business).Kind.Should().Be(SmtpFailureKind.RejectedAsSpam, "the spam signal still stands");
        tracker.Check(Business, Credentials, Now).For(EmailCategory.Marketing).IsAllowed.Should().BeFalse();
    }

    [Fact]
    public void A_probe_during_the_marketing_pause_is_not_a_marketing_email()
    {
        var tracker = Tracker();
        for (var i = 0; i < 3; i++)
        {
            tracker.RecordFailure(Business, Credentials, Failure(SmtpFailureKind.RejectedAsSpam), Now);
        }

        tracker.RecordFailure(Business, Credentials, Failure(SmtpFailureKind.AccountUnavailable), Now);
        _time.Advance(TimeSpan.FromMinutes(1));

        var probe = tracker.Check(Business, Credentials, Now);
        probe.IsProbe.Should().BeTrue();
        probe.For(EmailCategory.Invoice).IsProbe.Should().BeTrue();
        probe.For(EmailCategory.Marketing).IsAllowed.Should().BeFalse();
    }

    [Fact]
    public void The_fifth_421_at_the_greeting_within_ten_minutes_opens_the_breaker_as_account_unavailable()
    {
        var tracker = Tracker();
        var refused = new SmtpFailure(SmtpFailureKind.Transient, false, true, SmtpFailureAdvice.For(SmtpFailureKind.Transient), SmtpStage.Greeting, 421, "4.3.0 Temporary System Problem. Try again later");
        for (var i = 0; i < 4; i++)
        {
            tracker.CountSignals(Business, Credentials, refused, Now).Should().BeSameAs(refused);
            _time.Advance(TimeSpan.FromMinutes(2));
        }

        var escalated = tracker.CountSignals(Business, Credentials, refused, Now);

        escalated.Kind.Should().Be(SmtpFailureKind.AccountUnavailable);
        escalated.IsAccountLevel.Should().BeTrue();
        escalated.StatusCode.Should().Be(421);
        tracker.RecordFailure(Business, Credentials, escalated, Now, countSignals: false);
        var gate = tracker.Check(Business, Credentials, Now);
        gate.IsAllowed.Should().BeFalse();
        gate.RetryAt.Should().Be(Now + _options.InitialProbeInterval);
    }

    [Fact]
    public void Spam_refusals_marked_account_level_open_the_breaker()
    {
        var tracker = Tracker();

        tracker.RecordFailure(Business, Credentials, Failure(SmtpFailureKind.RejectedAsSpam, accountLevel: true), Now);

        tracker.GetHealth(Business).Should().BeEquivalentTo(new { State = AccountHealthState.Failing, Kind = (SmtpFailureKind?)SmtpFailureKind.RejectedAsSpam });
    }

    [Fact]
    public void A_transient_failure_of_the_probe_lets_the_next_send_probe_again()
    {
        var tracker = Tracker();
        tracker.RecordFailure(Business, Credentials, Failure(SmtpFailureKind.AuthenticationFailed), Now);
        _time.Advance(TimeSpan.FromHours(6));
        tracker.Check(Business, Credentials, Now).IsProbe.Should().BeTrue();

        tracker.RecordFailure(Business, Credentials, Failure(SmtpFailureKind.Transient), Now);

        tracker.Check(Business, Credentials, Now).IsProbe.Should().BeTrue();
        tracker.GetHealth(Business).State.Should().Be(AccountHealthState.Failing);
    }

    [Fact]
    public void A_refused_recipient_during_the_probe_proves_the_account_works()
    {
        var tracker = Tracker();
        tracker.RecordFailure(Business, Credentials, Failure(SmtpFailureKind.AuthenticationFailed), Now);
        _time.Advance(TimeSpan.FromHours(6));
        tracker.Check(Business, Credentials, Now);

        tracker.RecordFailure(Business, Credentials, Failure(SmtpFailureKind.RecipientRejected), Now);

        tracker.GetHealth(Business).IsHealthy.Should().BeTrue();
    }

    [Fact]
    public void A_probe_that_never_reports_back_is_replaced_after_the_probe_timeout()
    {
        var tracker = Tracker();
        tracker.RecordFailure(Business, Credentials, Failure(SmtpFailureKind.AccountUnavailable), Now);
        _time.Advance(TimeSpan.FromMinutes(1));
        tracker.Check(Business, Credentials, Now).IsProbe.Should().BeTrue();

        _time.Advance(_options.ProbeTimeout - TimeSpan.FromSeconds(1));
        tracker.Check(Business, Credentials, Now).IsAllowed.Should().BeFalse();
        _time.Advance(TimeSpan.FromSeconds(1));
        tracker.Check(Business, Credentials, Now).IsProbe.Should().BeTrue();
    }

    [Fact]
    public void Failures_of_sends_let_through_before_the_breaker_opened_do_not_postpone_the_probe()
    {
        var tracker = Tracker();
        tracker.RecordFailure(Business, Credentials, Failure(SmtpFailureKind.AccountUnavailable), Now);
        _time.Advance(TimeSpan.FromSeconds(30));

        tracker.RecordFailure(Business, Credentials, Failure(SmtpFailureKind.AccountUnavailable), Now);
        tracker.RecordFailure(Business, Credentials, Failure(SmtpFailureKind.AccountUnavailable), Now);

        tracker.Check(Business, Credentials, Now).RetryAt.Should().Be(Start + TimeSpan.FromMinutes(1));
    }

    [Fact]
    public void A_new_kind_of_account_failure_is_reported_as_a_change()
    {
        var tracker = Tracker();
        tracker.RecordFailure(Business, Credentials, Failure(SmtpFailureKind.AccountUnavailable), Now);

        tracker.RecordFailure(Business, Credentials, Failure(SmtpFailureKind.AuthenticationFailed), Now);

        _events.Should().HaveCount(2);
        _events[1].Previous.Kind.Should().Be(SmtpFailureKind.AccountUnavailable);
        _events[1].Kind.Should().Be(SmtpFailureKind.AuthenticationFailed);
        tracker.Check(Business, Credentials, Now).RetryAt.Should().Be(Start + TimeSpan.FromHours(6));
    }

    [Fact]
    public void Events_carry_the_kind_the_advice_and_the_old_and_new_state()
    {
        var tracker = Tracker();

        tracker.RecordFailure(Business, Credentials, Failure(SmtpFailureKind.AuthenticationFailed), Now);

        var change = _events.Should().ContainSingle().Subject;
        change.BusinessId.Should().Be(Business);
        change.Previous.State.Should().Be(AccountHealthState.Healthy);
        change.Current.State.Should().Be(AccountHealthState.Failing);
        change.State.Should().Be(AccountHealthState.Failing);
        change.Kind.Should().Be(SmtpFailureKind.AuthenticationFailed);
        change.Advice.Should().Be("Your SMTP password appears to be wrong: update it in Custom SMTP Configuration.");
        change.Current.Question.Should().Be("Is your email password correct?");
        change.ChangedAt.Should().Be(Start);
    }

    [Fact]
    public void A_throwing_event_handler_does_not_reach_the_sender_or_the_other_handlers()
    {
        var tracker = Tracker();
        var heard = 0;
        tracker.HealthChanged += (_, _) => throw new InvalidOperationException("handler bug");
        tracker.HealthChanged += (_, _) => heard++;

        var record = () => tracker.RecordFailure(Business, Credentials, Failure(SmtpFailureKind.AuthenticationFailed), Now);

        record.Should().NotThrow();
        heard.Should().Be(1);
        tracker.GetHealth(Business).State.Should().Be(AccountHealthState.Failing);
    }

    [Fact]
    public void Accounts_are_independent()
    {
        var tracker = Tracker();

        tracker.RecordFailure("paws", Credentials, Failure(SmtpFailureKind.AuthenticationFailed), Now);

        tracker.Check("claws", Credentials, Now).IsAllowed.Should().BeTrue();
        tracker.GetHealth("claws").IsHealthy.Should().BeTrue();
        tracker.GetUnhealthy().Select(h => h.BusinessId).Should().Equal("paws");
    }

    [Fact]
    public void Idle_healthy_accounts_are_dropped_and_unhealthy_ones_kept()
    {
        var tracker = Tracker();
        tracker.Check("idle", Credentials, Now);
        tracker.RecordFailure("failing", Credentials, Failure(SmtpFailureKind.AuthenticationFailed), Now);
        tracker.TrackedAccounts.Should().Be(2);

        _time.Advance(AccountHealthTracker.IdleRetention);
        tracker.Check("busy", Credentials, Now);

        tracker.TrackedAccounts.Should().Be(2, "the sweep dropped the idle healthy account only");
        tracker.GetHealth("failing").State.Should().Be(AccountHealthState.Failing);
        tracker.GetHealth("idle").IsHealthy.Should().BeTrue();
        tracker.Check("idle", Credentials, Now).IsAllowed.Should().BeTrue();
    }

    [Fact]
    public void Health_and_events_never_show_the_password_or_its_fingerprint()
    {
        var account = TestData.Account();
        var fingerprint = account.CredentialFingerprint();
        var tracker = Tracker();

        tracker.RecordFailure(Business, fingerprint, Failure(SmtpFailureKind.AuthenticationFailed), Now);
        tracker.Check(Business, new SmtpAccountSettings { Host = account.Host, UserName = account.UserName, Password = "n3w-Secret!", FromAddress = account.FromAddress }.CredentialFingerprint(), Now);

        var texts = _events.SelectMany(e => new[] { e.ToString(), e.Previous.ToString(), e.Current.ToString() })
            .Append(tracker.GetHealth(Business).ToString())
            .ToList();
        texts.Should().HaveCount(7);
        texts.Should().AllSatisfy(text =>
        {
            text.Should().NotContain(account.Password!);
            text.Should().NotContain("n3w-Secret!");
            text.Should().NotContain(fingerprint);
        });
        _events[0].Current.ToString().Should().Contain("AuthenticationFailed").And.Contain("update it in Custom SMTP Configuration");
    }

    [Fact]
    public void Long_server_replies_are_shortened()
    {
        var tracker = Tracker();

        tracker.RecordFailure(Business, Credentials, Failure(SmtpFailureKind.AccountUnavailable, reply: new string('x', 5000)), Now);

        tracker.GetHealth(Business).LastReply!.Length.Should().BeLessThan(600);
    }

    [Fact]
    public void Concurrent_sends_of_many_accounts_keep_each_accounts_history_consistent()
    {
        var tracker = Tracker();
        var now = Now;
        var businesses = Enumerable.Range(0, 16).Select(i => $"business-{i}").ToList();

        Parallel.ForEach(businesses, new ParallelOptions { MaxDegreeOfParallelism = 8 }, business =>
        {
            for (var round = 0; round < 500; round++)
            {
                var fingerprint = $"fp-{round / 50}";
                tracker.Check(business, fingerprint, now);
                if (round % 3 == 0)
                {
                    tracker.RecordFailure(business, fingerprint, Failure(SmtpFailureKind.SendLimitReached), now, now + TimeSpan.FromMinutes(round + 1));
                }
                else
                {
                    tracker.RecordSuccess(business, fingerprint, now);
                }
            }
        });

        foreach (var business in businesses)
        {
            var history = _events.Where(e => e.BusinessId == business).ToList();
            history.Should().NotBeEmpty();
            history.Zip(history.Skip(1)).Should().AllSatisfy(pair =>
                (pair.Second.Previous.State, pair.Second.Previous.Kind).Should().Be((pair.First.Current.State, pair.First.Current.Kind)));
            tracker.GetHealth(business).State.Should().Be(history[^1].Current.State);
        }
    }

    [Fact]
    public void Mirroring_a_shared_breaker_shows_its_state_here_and_raises_one_event_per_change()
    {
        var tracker = Tracker();
        var since = Now - TimeSpan.FromMinutes(3);
        var shared = new AccountBreakerState(Polly.CircuitBreaker.CircuitState.Open, AccountHealthState.Failing, Failure(SmtpFailureKind.AuthenticationFailed), Now + TimeSpan.FromHours(6), since, 0);

        tracker.Mirror(Business, Credentials, shared, Now);
        tracker.Mirror(Business, Credentials, shared, Now);

        var health = tracker.GetHealth(Business);
        health.State.Should().Be(AccountHealthState.Failing);
        health.Since.Should().Be(since, "the state began when another instance saw it");
        health.Until.Should().Be(Now + TimeSpan.FromHours(6));
        _events.Should().ContainSingle().Which.Kind.Should().Be(SmtpFailureKind.AuthenticationFailed);
        tracker.IsClosed(Business, Credentials).Should().BeFalse();
        tracker.Check(Business, Credentials, Now).IsAllowed.Should().BeFalse("the mirror is what this process falls back on when the shared store is away");

        tracker.Mirror(Business, Credentials, AccountBreakerState.Closed, Now);

        tracker.GetHealth(Business).IsHealthy.Should().BeTrue();
        _events.Should().HaveCount(2);
        tracker.IsClosed(Business, Credentials).Should().BeTrue();
    }

    [Fact]
    public void Mirroring_a_closed_breaker_of_an_unknown_account_keeps_nothing()
    {
        var tracker = Tracker();

        tracker.Mirror(Business, Credentials, AccountBreakerState.Closed, Now);

        tracker.TrackedAccounts.Should().Be(0);
        _events.Should().BeEmpty();
    }
}
