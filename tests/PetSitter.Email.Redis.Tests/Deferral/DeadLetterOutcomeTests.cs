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

    private DeferredEmail Deferred(int number) =>
        new(Settings.Email(EmailCategory.Marketing, number), _time.GetUtcNow(), new SmtpFailure(SmtpFailureKind.SendLimitReached, true, true, "Wait for the quota."), _time.GetUtcNow().AddHours(-1), 0);
}
