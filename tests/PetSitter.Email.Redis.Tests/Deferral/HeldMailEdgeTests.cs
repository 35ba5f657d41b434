using Microsoft.Extensions.Time.Testing;
using PetSitter.Email.Redis.Tests.Support;

namespace PetSitter.Email.Redis.Tests.Deferral;

/// <summary>Which deferred mail the durable queue notes as held for the account, and so releases early when the settings change.</summary>
[Collection(RedisGroup.Name)]
public sealed class HeldMailEdgeTests(RedisFixture redis) : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero));
    private readonly Fleet _instances = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _instances.DisposeAsync().AsTask();

    [Fact]
    public async Task Mail_deferred_for_a_passing_error_waits_for_its_own_time_and_is_not_released_as_mail_held_for_the_account()
    {
        var instance = new Instance(redis.ConnectionString, RedisFixture.NewPrefix(), _time, new Settings(Settings.Business(Settings.Unlimited())), new CountingTransport(_time));
        _instances.Add(instance);

        // Gmail's temporary refusal (/work/shared/providers.md, "temporary"): about this try, not the account, so no
        // settings fingerprint goes with it.
        var failure = new SmtpFailure(SmtpFailureKind.Transient, false, true, "Try again later.", SmtpStage.Data, 451, "4.3.0 Mail server temporarily rejected message.");
        await instance.Queue.EnqueueAsync(new DeferredEmail(Settings.Email(EmailCategory.Marketing, 1), _time.GetUtcNow().AddMinutes(30), failure, _time.GetUtcNow(), 1), default);

        (await instance.Dispatcher.DispatchDueAsync(default)).Should().Be(0, "nothing is held for the account, so nothing is released before its time");
        _time.Advance(TimeSpan.FromMinutes(30));
        (await instance.Dispatcher.DispatchDueAsync(default)).Should().Be(1);
    }
}
