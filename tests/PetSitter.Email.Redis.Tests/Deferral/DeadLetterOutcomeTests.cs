using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using PetSitter.Email.Redis.Tests.Support;

namespace PetSitter.Email.Redis.Tests.Deferral;

/// <summary>What the durable queue keeps as a dead letter, and how one reads to an operator.</summary>
[Collection(RedisGroup.Name)]
public sealed class DeadLetterOutcomeTests(RedisFixture redis) : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero));
    private readonly Fleet _instances = [];
    private CountingTransport _transport = null!;

    public Task InitializeAsync()
    {
        _transport = new CountingTransport(_time);
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => _instances.DisposeAsync().AsTask();

    [Fact]
    public async Task An_email_sent_from_the_queue_leaves_no_dead_letter()
    {
        var instance = new Instance(redis.ConnectionString, RedisFixture.NewPrefix(), _time, new Settings(Settings.Business(Settings.Unlimited())), _transport);
        _instances.Add(instance);
        var item = Deferred(1);
        await instance.Queue.EnqueueAsync(item, default);

        (await instance.Dispatcher.DispatchDueAsync(default)).Should().Be(1);

        _transport.Accepted.Should().ContainSingle().Which.MessageId.Should().Be(item.MessageId);
        (await instance.DeadLetters.CountAsync()).Should().Be(0, "only an email the queue stopped trying is a dead letter");
        (await instance.Queue.CountAsync(default)).Should().Be(0);
    }

    [Fact]
    public void A_dead_letter_reads_with_its_id_the_time_it_was_given_up_and_why()
    {
        var deadAt = _time.GetUtcNow();
        var letter = new DeadLetter("q:42", Deferred(7), "The email was taken 3 times by instances that stopped before finishing it.", deadAt);

        letter.ToString().Should().StartWith("Dead letter q:42 since 2026-11-27T09:00:00.0000000+00:00: ")
            .And.EndWith("(The email was taken 3 times by instances that stopped before finishing it.)");
    }

    [Fact]
    public async Task Only_an_email_given_up_is_logged_as_a_dead_letter_and_only_a_requeue_that_happened_is_logged()
    {
        var instance = new Instance(redis.ConnectionString, RedisFixture.NewPrefix(), _time, new Settings(), services: static s => s.AddFakeLogging());
        _instances.Add(instance);
        await instance.Queue.EnqueueAsync(Deferred(1), default);
        await instance.Queue.EnqueueAsync(Deferred(2), default);
        var taken = await instance.Queue.TakeDueAsync(_time.GetUtcNow(), 10, default);
        taken.Should().HaveCount(2);

        await instance.Queue.AcknowledgeAsync(taken[0], SendOutcome.Sent(taken[0].Email, EmailChannel.Smtp, EmailChannel.Smtp, new DeliveryReceipt("smtp.gmail.com:587", "250 OK")), default);
        await instance.Queue.AcknowledgeAsync(taken[1], SendOutcome.Failed(taken[1].Email, EmailChannel.Smtp, EmailChannel.Smtp, "Tried 5 time(s); the daily limit never reset."), default);
        var dead = (await instance.DeadLetters.ListAsync()).Should().ContainSingle().Subject;
        (await instance.DeadLetters.RequeueAsync(dead.Id)).Should().BeTrue();
        (await instance.DeadLetters.RequeueAsync(dead.Id)).Should().BeFalse();

        var logs = instance.Get<FakeLogCollector>().GetSnapshot().Where(static r => r.Category == typeof(RedisDeferredEmailQueue).FullName).ToList();
        logs.Select(static r => r.Id.Id).Should().Equal([RedisLogEvents.Deferral.DeadLetter, RedisLogEvents.Deferral.Requeued], "an operator reads one warning for the email given up and one note for the one put back");
        logs[0].Message.Should().Contain(taken[1].MessageId).And.Contain("the daily limit never reset");
    }

    private DeferredEmail Deferred(int number) =>
        new(Settings.Email(EmailCategory.Marketing, number), _time.GetUtcNow(), new SmtpFailure(SmtpFailureKind.SendLimitReached, true, true, "Wait for the quota."), _time.GetUtcNow().AddHours(-1), 0);
}
