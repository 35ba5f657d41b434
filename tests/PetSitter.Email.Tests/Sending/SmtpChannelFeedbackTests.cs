using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NSubstitute;
using PetSitter.Email.Tests.Support;

namespace PetSitter.Email.Tests.Sending;

/// <summary>
/// What the channel learns from each send and hands on to the sends after it: a reply past sign-in opens the
/// account's lane to its connection cap, a success closes the breaker, a send that waited in the lane asks the
/// breaker again, and a limit refusal marks the account only when the wait is news for the owner.
/// </summary>
public sealed class SmtpChannelFeedbackTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    // Gmail's temporary refusal (/work/shared/providers.md, "temporary"; https://support.google.com/a/answer/3726730).
    private const string GmailTemporary = "4.3.0 Mail server temporarily rejected message.";

    private readonly HeldTransport _smtp = new();
    private readonly SenderHarness _harness;
    private readonly SmtpAccountSettings _account = new()
    {
        Host = "smtp.paws.example",
        Port = 587,
        UserName = "owner@paws.example",
        Password = Secrets.TestSecrets.OwnerPassword,
        FromAddress = "owner@paws.example",
        MaxConnections = 2,
    };

    public SmtpChannelFeedbackTests()
    {
        _harness = new SenderHarness(_smtp, Substitute.For<INativeMailer>(), configure: null, TestData.Business(smtp: _account));
    }

    public void Dispose()
    {
        _smtp.ReleaseAll();
        _harness.Dispose();
    }

    [Fact]
    public async Task A_refusal_at_mail_from_proves_the_sign_in_worked_so_the_sends_behind_go_out_side_by_side()
    {
        var channel = Channel(_harness.Get<IAccountBreaker>());
        var first = Send(channel, _account);
        await _smtp.Arrived(1).WaitAsync(Patience);
        var second = Send(channel, _account);
        var third = Send(channel, _account);
        _smtp.Calls.Should().Be(1, "until a sign-in succeeds the account's sends go one at a time");

        _smtp.Release(0, new SmtpTransportException(SmtpStage.MailFrom, 451, GmailTemporary));
        (await first.WaitAsync(Patience)).Failure!.Kind.Should().Be(SmtpFailureKind.Transient);

        // Both sends behind are at the server at once: the lane is as wide as the account's two connections.
        await _smtp.Arrived(3).WaitAsync(Patience);
        _smtp.MaxAtOnce.Should().Be(2);
        _smtp.Release(1);
        _smtp.Release(2);
        (await second.WaitAsync(Patience)).IsSent.Should().BeTrue();
        (await third.WaitAsync(Patience)).IsSent.Should().BeTrue();
    }

    [Fact]
    public async Task A_failure_before_mail_from_proves_nothing_about_the_credentials_so_the_sends_behind_stay_one_at_a_time()
    {
        var channel = Channel(_harness.Get<IAccountBreaker>());
        var first = Send(channel, _account);
        await _smtp.Arrived(1).WaitAsync(Patience);
        var second = Send(channel, _account);
        var third = Send(channel, _account);

        _smtp.Release(0, new SmtpTransportException(SmtpStage.Connect, null, "Connection refused"));
        await first.WaitAsync(Patience);
        await _smtp.Arrived(2).WaitAsync(Patience);

        _smtp.Calls.Should().Be(2, "the third send waits for the second: nobody has signed in yet");
        _smtp.Release(1);
        (await second.WaitAsync(Patience)).IsSent.Should().BeTrue();
        await _smtp.Arrived(3).WaitAsync(Patience);
        _smtp.Release(2);
        (await third.WaitAsync(Patience)).IsSent.Should().BeTrue();
        _smtp.MaxAtOnce.Should().Be(1);
    }

    [Fact]
    public async Task Marketing_held_back_at_the_send_gate_of_an_apps_own_transport_proves_nothing_about_the_sign_in_so_the_invoices_behind_it_still_go_one_at_a_time()
    {
        // The app's own transport signs in only when it is called, and the channel gates it just before the call: a send
        // the gate held back never reached the server. Marketing may use half of the account's four sends an hour.
        var account = new SmtpAccountSettings
        {
            Host = _account.Host,
            Port = _account.Port,
            UserName = _account.UserName,
            Password = _account.Password,
            FromAddress = _account.FromAddress,
            MaxConnections = 2,
            Limits = new SendLimits { MessagesPerHour = 4 },
            MarketingSharePercent = 50,
        };
        var channel = Channel(_harness.Get<IAccountBreaker>(), _harness.Get<MarketingReserve>());
        using var cancelFirst = new CancellationTokenSource();
        var first = Send(channel, account, cancelFirst.Token);
        await _smtp.Arrived(1).WaitAsync(Patience);

        // The marketing email finds the hour with room for it and waits for its turn behind the first send. Meanwhile
        // another instance of the app sends through the same mailbox: the hour now holds marketing's whole share.
        var marketing = channel.SendAsync("paws", account, TestData.Message("Spring offer"), EmailCategory.Marketing, CancellationToken.None).AsTask();
        var other = await _harness.Get<ISendQuotaStore>().TryAcquireAsync(SmtpChannel.AccountKey(account), account.EffectiveLimits(), 1, CancellationToken.None);
        other.IsAllowed.Should().BeTrue();
        var second = Send(channel, account);
        var third = Send(channel, account);

        // The first send's caller gives up before the server answered: nobody has signed in yet.
        await cancelFirst.CancelAsync();
        await FluentActions.Awaiting(() => first.WaitAsync(Patience)).Should().ThrowAsync<OperationCanceledException>();
        var held = await marketing.WaitAsync(Patience);
        held.IsSent.Should().BeFalse();
        held.Failure!.Advice.Should().StartWith("Marketing paused to keep room for quotes and invoices", "the gate held it back for its share of the hour");
        await _smtp.Arrived(2).WaitAsync(Patience);

        // The third invoice waits behind the second until its wait for a turn runs out, rather than going in beside it.
        _harness.Time.Advance(_harness.Get<IOptions<PetSitterEmailOptions>>().Value.Smtp.ConnectionWaitTimeout);
        await Task.WhenAny(third, _smtp.Arrived(3)).WaitAsync(Patience);
        _smtp.Calls.Should().Be(2, "until a sign-in succeeds the account's sends go one at a time, and none has yet");
        var timedOut = await third;
        timedOut.IsSent.Should().BeFalse();
        timedOut.Failure!.Reply.Should().EndWith("the send ahead of it was still the first to sign in with these settings, and sends go one at a time until one has.", "no connection was busy: the lane was one wide");
        _smtp.Release(1);
        (await second.WaitAsync(Patience)).IsSent.Should().BeTrue();
        _smtp.MaxAtOnce.Should().Be(1);
    }

    [Fact]
    public async Task An_account_allowed_two_connections_never_has_a_third_open_though_the_library_default_allows_three()
    {
        // The owner's provider allows two connections at once (the account's MaxConnections); the app's default is more.
        _harness.Get<IOptions<PetSitterEmailOptions>>().Value.Smtp.MaxConnectionsPerAccount.Should().BeGreaterThan(2);
        var channel = Channel(_harness.Get<IAccountBreaker>());
        var signIn = Send(channel, _account);
        await _smtp.Arrived(1).WaitAsync(Patience);
        var sends = Enumerable.Range(0, 3).Select(_ => Send(channel, _account)).ToList();

        // The first send signs in and goes out: the three behind may now use the account's connections.
        _smtp.Release(0);
        (await signIn.WaitAsync(Patience)).IsSent.Should().BeTrue();
        await _smtp.Arrived(3).WaitAsync(Patience);
        _smtp.Release(1);
        await _smtp.Arrived(4).WaitAsync(Patience);
        _smtp.ReleaseAll();

        foreach (var send in sends)
        {
            (await send.WaitAsync(Patience)).IsSent.Should().BeTrue();
        }

        _smtp.MaxAtOnce.Should().Be(2, "a provider counts a third connection against the account, and may lock it");
    }

    [Fact]
    public async Task A_send_that_waited_in_the_lane_while_another_instance_found_the_password_wrong_is_not_attempted()
    {
        var breaker = _harness.Get<IAccountBreaker>();
        var channel = Channel(breaker);
        var first = Send(channel, _account);
        await _smtp.Arrived(1).WaitAsync(Patience);
        var second = Send(channel, _account);

        // Another instance of the app reports a wrong password while the second send waits for its turn;
        // the first send then ends with a refused recipient, which says nothing about the account.
        var wrongPassword = SmtpFailureClassifier.Classify(
            new SmtpTransportException(SmtpStage.Authenticate, 535, "5.7.8 Username and Password not accepted."), _account.Host);
        await breaker.RecordFailureAsync("paws", _account.SettingsFingerprint(), wrongPassword, _harness.Time.GetUtcNow(), null, CancellationToken.None);
        _smtp.Release(0, new SmtpTransportException(SmtpStage.RcptTo, 550, "5.1.1 The email account that you tried to reach does not exist."));
        await first.WaitAsync(Patience);

        var late = await second.WaitAsync(Patience);

        late.IsSent.Should().BeFalse();
        late.Failure!.Kind.Should().Be(SmtpFailureKind.AuthenticationFailed);
        _smtp.Calls.Should().Be(1, "asked again after its wait, the breaker stops the second send before it signs in");
    }

    [Fact]
    public async Task A_probe_that_waited_in_the_lane_goes_out_without_asking_again_and_its_success_makes_the_account_healthy()
    {
        var tracker = _harness.Get<AccountHealthTracker>();
        var changes = new List<AccountHealthChangedEventArgs>();
        tracker.HealthChanged += (_, e) => changes.Add(e);
        var channel = Channel(tracker);

        // A send let through before the breaker opened holds the lane; the breaker then opens, its probe interval
        // passes and the next send is its probe, which waits for the lane.
        using var cancelBefore = new CancellationTokenSource();
        var before = Send(channel, _account, cancelBefore.Token);
        await _smtp.Arrived(1).WaitAsync(Patience);
        tracker.RecordFailure("paws", _account.SettingsFingerprint(), PolicyTestData.Failure(SmtpFailureKind.AccountUnavailable), _harness.Time.GetUtcNow());
        _harness.Time.Advance(_harness.Get<IOptions<AccountHealthOptions>>().Value.InitialProbeInterval);
        var probe = Send(channel, _account);

        // The send ahead is cancelled by its caller: it leaves the lane and tells the breaker nothing.
        await cancelBefore.CancelAsync();
        await FluentActions.Awaiting(() => before.WaitAsync(Patience)).Should().ThrowAsync<OperationCanceledException>();
        await _smtp.Arrived(2).WaitAsync(Patience);
        _smtp.Release(1);

        (await probe.WaitAsync(Patience)).IsSent.Should().BeTrue("the probe is the one send the breaker let through; asking again would block it");
        _smtp.Calls.Should().Be(2);
        tracker.GetHealth("paws").IsHealthy.Should().BeTrue("a sent probe proves the account works");
        changes.Select(c => c.Current.State).Should().Equal(AccountHealthState.Failing, AccountHealthState.Healthy);
    }

    [Fact]
    public async Task A_busy_minute_pauses_the_send_but_does_not_mark_the_account()
    {
        var limited = WithLimits(new SendLimits { MessagesPerMinute = 1 });
        var channel = Channel(_harness.Get<IAccountBreaker>());
        _smtp.ReleaseAll();
        (await Send(channel, limited)).IsSent.Should().BeTrue();

        var refused = await Send(channel, limited);

        refused.IsSent.Should().BeFalse();
        refused.Failure!.LimitWindow.Should().Be(LimitWindow.MessagesPerMinute);
        refused.ResumeAt.Should().BeAfter(_harness.Time.GetUtcNow());
        _harness.Health.GetHealth("paws").IsHealthy.Should().BeTrue("a busy minute is not an account state the owner must hear about");
    }

    [Fact]
    public async Task An_hourly_limit_reached_shows_the_account_throttled_until_the_hour_is_over()
    {
        var limited = WithLimits(new SendLimits { MessagesPerHour = 1 });
        var channel = Channel(_harness.Get<IAccountBreaker>());
        _smtp.ReleaseAll();
        (await Send(channel, limited)).IsSent.Should().BeTrue();

        var refused = await Send(channel, limited);

        refused.Failure!.LimitWindow.Should().Be(LimitWindow.MessagesPerHour);
        var health = _harness.Health.GetHealth("paws");
        health.State.Should().Be(AccountHealthState.Throttled);
        health.Until.Should().Be(refused.ResumeAt);
        refused.ResumeAt.Should().BeAfter(_harness.Time.GetUtcNow() + TimeSpan.FromMinutes(59));
    }

    private SmtpAccountSettings WithLimits(SendLimits limits) => new()
    {
        Host = _account.Host,
        Port = _account.Port,
        UserName = _account.UserName,
        Password = _account.Password,
        FromAddress = _account.FromAddress,
        MaxConnections = _account.MaxConnections,
        Limits = limits,
    };

    private static Task<SmtpAttempt> Send(SmtpChannel channel, SmtpAccountSettings account, CancellationToken cancellationToken = default) =>
        channel.SendAsync("paws", account, TestData.Message(), EmailCategory.Invoice, cancellationToken).AsTask();

    private SmtpChannel Channel(IAccountBreaker breaker, MarketingReserve? reserve = null) => new(
        _smtp,
        breaker,
        _harness.Get<ISendQuotaStore>(),
        new SendThrottle(_harness.Get<ISendQuotaStore>(), _harness.Time, TimeSpan.Zero),
        _harness.Get<SmtpRetryPipeline>(),
        _harness.Get<IOptions<PetSitterEmailOptions>>(),
        _harness.Time,
        NullLogger<SmtpChannel>.Instance,
        _harness.Get<EmailTelemetry>(),
        reserve);

    /// <summary>
    /// A transport whose every call waits at the server until the test releases it (by arrival order), with or
    /// without a failure; after <see cref="ReleaseAll"/> every call, present and future, answers at once.
    /// </summary>
    private sealed class HeldTransport : ISmtpTransport
    {
        private readonly Lock _gate = new();
        private readonly List<TaskCompletionSource<Exception?>> _calls = [];
        private readonly List<(int Count, TaskCompletionSource Signal)> _waiters = [];
        private bool _open;
        private int _inside;

        public int Calls
        {
            get
            {
                lock (_gate)
                {
                    return _calls.Count;
                }
            }
        }

        public int MaxAtOnce { get; private set; }

        public Task Arrived(int count)
        {
            lock (_gate)
            {
                if (_calls.Count >= count)
                {
                    return Task.CompletedTask;
                }

                var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add((count, signal));
                return signal.Task;
            }
        }

        public void Release(int call, Exception? failure = null)
        {
            lock (_gate)
            {
                _calls[call].TrySetResult(failure);
            }
        }

        public void ReleaseAll()
        {
            lock (_gate)
            {
                _open = true;
                foreach (var call in _calls)
                {
                    call.TrySetResult(null);
                }
            }
        }

        public async Task<DeliveryReceipt> SendAsync(SmtpAccountSettings account, MimeKit.MimeMessage message, CancellationToken cancellationToken)
        {
            var answer = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_gate)
            {
                _calls.Add(answer);
                _inside++;
                MaxAtOnce = Math.Max(MaxAtOnce, _inside);
                if (_open)
                {
                    answer.TrySetResult(null);
                }

                foreach (var waiter in _waiters.Where(w => w.Count <= _calls.Count).ToList())
                {
                    _waiters.Remove(waiter);
                    waiter.Signal.TrySetResult();
                }
            }

            Exception? failure;
            try
            {
                failure = await answer.Task.WaitAsync(cancellationToken);
            }
            finally
            {
                lock (_gate)
                {
                    _inside--;
                }
            }

            return failure is null ? new DeliveryReceipt($"{account.Host}:{account.Port}", "250 2.0.0 OK") : throw failure;
        }
    }
}
