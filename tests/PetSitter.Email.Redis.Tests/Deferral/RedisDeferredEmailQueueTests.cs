using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using PetSitter.Email.Redis.Tests.Support;

namespace PetSitter.Email.Redis.Tests.Deferral;

[Collection(RedisGroup.Name)]
public sealed class RedisDeferredEmailQueueTests(RedisFixture redis) : IAsyncLifetime
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(15);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero));
    private readonly string _prefix = RedisFixture.NewPrefix();
    private readonly Fleet _instances = [];
    private readonly Settings _settings = new(Settings.Business(Settings.Unlimited()));
    private readonly RecordingListener _listener = new();
    private CountingTransport _transport = null!;

    public Task InitializeAsync()
    {
        _transport = new CountingTransport(_time);
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => _instances.DisposeAsync().AsTask();

    private DateTimeOffset Now => _time.GetUtcNow();

    [Fact]
    public async Task Deferred_mail_survives_a_restart_and_goes_out_once_with_its_Message_ID_and_its_whole_message()
    {
        var before = NewInstance();
        await before.Get<ISendQuotaStore>().MarkExhaustedAsync(SmtpChannel.AccountKey(Settings.Unlimited()), Now.AddHours(1), "550 5.4.5 Daily user sending limit exceeded.");
        var emails = Enumerable.Range(1, 3).Select(i => Settings.Email(EmailCategory.Marketing, i)).ToArray();
        emails[0].Message.Cc.Add(new MailboxAddress("Partner", "partner@example.com"));
        emails[0].Message.Bcc.Add(new MailboxAddress("Archive", "archive@paws.example"));
        foreach (var email in emails)
        {
            var outcome = await before.Sender.SendAsync(email);
            outcome.Status.Should().Be(SendStatus.Deferred);
            outcome.DeferredUntil.Should().Be(Now.AddHours(1));
        }

        await before.DisposeAsync();
        _instances.Remove(before);

        var after = NewInstance();
        (await after.Queue.CountAsync(default)).Should().Be(3, "the deferred mail outlived the instance that deferred it");
        _time.Advance(TimeSpan.FromHours(1));
        (await after.Dispatcher.DispatchDueAsync(default)).Should().Be(3);

        _transport.Accepted.Select(a => a.MessageId).Should().BeEquivalentTo(emails.Select(e => e.Message.MessageId));
        _listener.Outcomes.Should().HaveCount(3).And.OnlyContain(o => o.Status == SendStatus.Sent && o.Channel == EmailChannel.Smtp);
        _listener.Outcomes.Select(o => o.MessageId).Should().BeEquivalentTo(emails.Select(e => e.Message.MessageId));
        (await after.Queue.CountAsync(default)).Should().Be(0);
        (await after.Dispatcher.DispatchDueAsync(default)).Should().Be(0, "nothing is handed out twice");
    }

    [Fact]
    public async Task Each_due_email_is_claimed_by_exactly_one_of_four_instances()
    {
        var fleet = Enumerable.Range(0, 4).Select(_ => NewInstance()).ToArray();
        var ids = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            var item = Deferred(i, Now);
            ids.Add(item.MessageId);
            await fleet[i % 4].Queue.EnqueueAsync(item, default);
        }

        var batches = await Task.WhenAll(fleet.Select(f => f.Queue.TakeDueAsync(Now, 15, default).AsTask()));

        var taken = batches.SelectMany(b => b).Select(e => e.MessageId).ToList();
        taken.Should().OnlyHaveUniqueItems().And.BeEquivalentTo(ids);
    }

    [Fact]
    public async Task Emails_are_taken_earliest_due_first_and_not_before_they_are_due()
    {
        var queue = NewInstance().Queue;
        await queue.EnqueueAsync(Deferred(1, Now.AddMinutes(10)), default);
        await queue.EnqueueAsync(Deferred(2, Now.AddMinutes(5)), default);

        (await queue.TakeDueAsync(Now, 10, default)).Should().BeEmpty();
        var taken = await queue.TakeDueAsync(Now.AddMinutes(10), 10, default);

        taken.Select(t => t.Email.Message.Subject).Should().Equal("Message 2", "Message 1");
    }

    [Fact]
    public async Task A_claimer_that_dies_loses_its_lease_and_another_instance_takes_the_email_over()
    {
        var dying = NewInstance();
        var survivor = NewInstance();
        var item = Deferred(1, Now, attempts: 2);
        await dying.Queue.EnqueueAsync(item, default);
        var claimed = (await dying.Queue.TakeDueAsync(Now, 10, default)).Should().ContainSingle().Subject;

        (await survivor.Queue.TakeDueAsync(Now, 10, default)).Should().BeEmpty("the lease still holds");
        _time.Advance(Lease - TimeSpan.FromSeconds(1));
        (await survivor.Queue.TakeDueAsync(Now, 10, default)).Should().BeEmpty("the lease still holds");
        _time.Advance(TimeSpan.FromSeconds(1));
        var reclaimed = (await survivor.Queue.TakeDueAsync(Now, 10, default)).Should().ContainSingle().Subject;

        reclaimed.MessageId.Should().Be(item.MessageId);
        reclaimed.Attempts.Should().Be(2, "a lost lease is not a try");

        // The first claimer wakes up and settles what it no longer holds: nothing changes.
        await dying.Queue.AcknowledgeAsync(claimed, Sent(claimed), default);
        (await survivor.Queue.CountAsync(default)).Should().Be(1);
        await survivor.Queue.AcknowledgeAsync(reclaimed, Sent(reclaimed), default);
        (await survivor.Queue.CountAsync(default)).Should().Be(0);
    }

    [Fact]
    public async Task An_instance_stopped_mid_batch_loses_nothing_and_nothing_is_delivered_twice()
    {
        var stopping = NewInstance();
        var taking_over = NewInstance();
        var ids = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            var item = Deferred(i, Now);
            ids.Add(item.MessageId);
            await stopping.Queue.EnqueueAsync(item, default);
        }

        var inFlight = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        _transport.BeforeAccept = async (_, token) =>
        {
            if (Interlocked.Increment(ref calls) == 6)
            {
                inFlight.SetResult();
                await Task.Delay(Timeout.InfiniteTimeSpan, TimeProvider.System, token);
            }
        };
        using var stop = new CancellationTokenSource();
        var run = stopping.Dispatcher.DispatchDueAsync(stop.Token);
        await inFlight.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await run.Invoking(r => r).Should().ThrowAsync<OperationCanceledException>();
        await stopping.DisposeAsync();
        _instances.Remove(stopping);
        _transport.BeforeAccept = null;

        (await taking_over.Dispatcher.DispatchDueAsync(default)).Should().Be(15, "the untried emails and the one in flight were put back at once, no lease to wait for");

        _transport.Accepted.Select(a => a.MessageId).Should().OnlyHaveUniqueItems().And.BeEquivalentTo(ids);
        (await taking_over.Queue.CountAsync(default)).Should().Be(0);
    }

    [Fact]
    public async Task An_email_that_fails_too_often_becomes_a_dead_letter_and_can_be_requeued_with_its_Message_ID()
    {
        var instance = NewInstance(services => services.Configure<FallbackPolicyOptions>(o => o.MaxDeferredAttempts = 2));
        var failing = true;
        _transport.BeforeAccept = (_, _) => failing
            ? throw new SmtpTransportException(SmtpStage.Authenticate, 535, "5.7.8 Username and Password not accepted.")
            : Task.CompletedTask;
        var email = Settings.Email(EmailCategory.Marketing, 7);

        (await instance.Sender.SendAsync(email)).Status.Should().Be(SendStatus.Deferred);
        _time.Advance(TimeSpan.FromMinutes(5));
        await instance.Dispatcher.DispatchDueAsync(default);
        _time.Advance(TimeSpan.FromHours(6));
        await instance.Dispatcher.DispatchDueAsync(default);

        var dead = (await instance.DeadLetters.ListAsync()).Should().ContainSingle().Subject;
        dead.Email.MessageId.Should().Be(email.Message.MessageId);
        dead.Reason.Should().Contain("tried 2 time(s)").And.Contain("password");
        dead.DeadAt.Should().Be(Now);
        (await instance.DeadLetters.CountAsync()).Should().Be(1);
        (await instance.Queue.CountAsync(default)).Should().Be(0);
        _listener.Outcomes.Should().ContainSingle().Which.Status.Should().Be(SendStatus.Failed);

        // The owner fixes the password; the operator puts the email back.
        failing = false;
        _settings.Set(Settings.Business(Settings.Unlimited(password: "s3cret-2")));
        (await instance.DeadLetters.RequeueAsync(dead.Id)).Should().BeTrue();
        (await instance.DeadLetters.RequeueAsync(dead.Id)).Should().BeFalse("it is no longer a dead letter");
        (await instance.DeadLetters.ListAsync()).Should().BeEmpty();
        (await instance.Dispatcher.DispatchDueAsync(default)).Should().Be(1);

        _transport.Accepted.Should().ContainSingle().Which.MessageId.Should().Be(email.Message.MessageId);
        _listener.Outcomes[^1].Status.Should().Be(SendStatus.Sent);
    }

    [Fact]
    public async Task An_email_whose_claimers_keep_dying_becomes_a_dead_letter_instead_of_crashing_every_instance()
    {
        var instance = NewInstance(redisOptions: o => o.MaxLeaseExpiries = 2);
        var item = Deferred(1, Now);
        await instance.Queue.EnqueueAsync(item, default);

        (await instance.Queue.TakeDueAsync(Now, 10, default)).Should().ContainSingle();
        _time.Advance(Lease);
        (await instance.Queue.TakeDueAsync(Now, 10, default)).Should().ContainSingle("one lost lease: handed out again");
        _time.Advance(Lease);
        (await instance.Queue.TakeDueAsync(Now, 10, default)).Should().BeEmpty("two lost leases: kept aside");

        var dead = (await instance.DeadLetters.ListAsync()).Should().ContainSingle().Subject;
        dead.Email.MessageId.Should().Be(item.MessageId);
        dead.Reason.Should().Contain("taken 2 times");
        (await instance.DeadLetters.DeleteAsync(dead.Id)).Should().BeTrue();
        (await instance.DeadLetters.CountAsync()).Should().Be(0);
        (await instance.DeadLetters.DeleteAsync(dead.Id)).Should().BeFalse();
    }

    private static SendOutcome Sent(DeferredEmail item) =>
        SendOutcome.Sent(item.Email, EmailChannel.Smtp, EmailChannel.Smtp, new DeliveryReceipt("smtp.gmail.com:587", "250 OK"));

    private static DeferredEmail Deferred(int number, DateTimeOffset dueAt, int attempts = 0) =>
        new(Settings.Email(EmailCategory.Marketing, number), dueAt, new SmtpFailure(SmtpFailureKind.SendLimitReached, true, true, "Wait for the quota."), dueAt.AddHours(-1), attempts);

    [Fact]
    public async Task The_queue_length_is_reported_as_a_gauge_as_read_at_the_last_poll()
    {
        using var metrics = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = metrics.GetRequiredService<IMeterFactory>();
        var readings = new List<(int Value, KeyValuePair<string, object?>[] Tags)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, factory) && instrument.Name == "petsitter.email.deferred.queued")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<int>((_, value, tags, _) => readings.Add((value, tags.ToArray())));
        listener.Start();
        var instance = NewInstance(services: collection => collection.AddSingleton(factory));
        await instance.Get<ISendQuotaStore>().MarkExhaustedAsync(SmtpChannel.AccountKey(Settings.Unlimited()), Now.AddHours(1), "550 5.4.5 Daily user sending limit exceeded.");
        for (var i = 1; i <= 3; i++)
        {
            (await instance.Sender.SendAsync(Settings.Email(EmailCategory.Marketing, i))).Status.Should().Be(SendStatus.Deferred);
        }

        listener.RecordObservableInstruments();
        readings.Should().BeEmpty("no poll has read the shared queue yet, and a collection never waits on Redis");

        (await instance.Dispatcher.DispatchDueAsync(default)).Should().Be(0, "nothing is due for an hour");
        listener.RecordObservableInstruments();
        readings.Should().ContainSingle().Which.Should().BeEquivalentTo((3, new[] { new KeyValuePair<string, object?>("petsitter.email.queue", "redis") }));

        _time.Advance(TimeSpan.FromHours(1));
        (await instance.Dispatcher.DispatchDueAsync(default)).Should().Be(3);
        listener.RecordObservableInstruments();
        readings.Last().Value.Should().Be(3, "the poll that took them read them while they were being sent (claimed, not yet settled)");
        (await instance.Dispatcher.DispatchDueAsync(default)).Should().Be(0);
        listener.RecordObservableInstruments();
        readings.Last().Value.Should().Be(0, "the next poll reads the queue empty");
    }

    private Instance NewInstance(Action<IServiceCollection>? services = null, Action<RedisEmailOptions>? redisOptions = null)
    {
        var instance = new Instance(
            redis.ConnectionString,
            _prefix,
            _time,
            _settings,
            _transport,
            redis: redisOptions,
            services: collection =>
            {
                collection.AddSingleton<IEmailOutcomeListener>(_listener);
                services?.Invoke(collection);
            });
        _instances.Add(instance);
        return instance;
    }
}
