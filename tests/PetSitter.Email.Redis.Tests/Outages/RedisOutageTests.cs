using Microsoft.Extensions.Time.Testing;
using PetSitter.Email.Redis.Tests.Support;
using PetSitter.Email.Testing;

namespace PetSitter.Email.Redis.Tests.Outages;

/// <summary>redis-server is killed in the middle of a run and started again: what each failure mode does meanwhile.</summary>
[Collection(RedisOutageGroup.Name)]
public sealed class RedisOutageTests(RedisFixture redis) : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero));
    private readonly Settings _settings = new(Settings.Business(Settings.Gmail()));
    private readonly RecordingNativeMailer _native = new();
    private readonly RecordingListener _listener = new();
    private CountingTransport _transport = null!;
    private Instance _instance = null!;

    public Task InitializeAsync()
    {
        _transport = new CountingTransport(_time);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _instance.DisposeAsync();
        await redis.Server.StartAgainAsync();
    }

    [Fact]
    public async Task Failing_open_falls_back_to_this_process_limits_counts_it_and_shares_again_once_Redis_is_back()
    {
        _instance = NewInstance(RedisFailureMode.FailOpen);
        (await SendAsync(EmailCategory.General, 2)).Should().OnlyContain(o => o.Channel == EmailChannel.Smtp);
        _time.Advance(TimeSpan.FromSeconds(1.05));

        await StopRedisAsync();
        var during = new List<SendOutcome>();
        for (var i = 0; i < 4; i++)
        {
            during.AddRange(await SendAsync(EmailCategory.General, 1));
        }

        during.Select(o => o.Channel).Should().Equal([EmailChannel.Smtp, EmailChannel.Smtp, EmailChannel.Native, EmailChannel.Native], "this process's own store still applies Gmail's 2 per second");
        during[3].FailureKind.Should().Be(SmtpFailureKind.SendLimitReached);
        // Two sends sent (a look before connecting, then the count before MAIL FROM), two refused at the look.
        _instance.Outages.Limits.Should().Be(6, "every check answered without Redis is counted");
        _instance.Outages.Health.Should().BeGreaterThan(0);

        await StartRedisAsync();
        _time.Advance(TimeSpan.FromSeconds(1.05));
        (await SendAsync(EmailCategory.General, 1)).Should().OnlyContain(o => o.Channel == EmailChannel.Smtp);

        var shared = await _instance.Get<ISendQuotaStore>().GetAsync(SmtpChannel.AccountKey(Settings.Gmail()));
        shared!.MessagesLastDay.Should().Be(1, "counting is back in Redis (which restarted empty), not in this process");
        _instance.Outages.Limits.Should().Be(6);
    }

    [Fact]
    public async Task Failing_closed_treats_the_account_as_limited_sends_invoices_natively_holds_marketing_and_sends_it_once_Redis_is_back()
    {
        _instance = NewInstance(RedisFailureMode.FailClosed);
        (await SendAsync(EmailCategory.Invoice, 1)).Should().OnlyContain(o => o.Channel == EmailChannel.Smtp);

        await StopRedisAsync();
        var invoice = (await SendAsync(EmailCategory.Invoice, 1))[0];
        var marketing = (await SendAsync(EmailCategory.Marketing, 1))[0];

        invoice.Status.Should().Be(SendStatus.Sent);
        invoice.Channel.Should().Be(EmailChannel.Native, "the invoice always gets through");
        invoice.SmtpFailure!.Advice.Should().Contain("cannot check its sending limits");
        marketing.Status.Should().Be(SendStatus.Deferred);
        // Held before the limits are asked: the suppression list is in Redis too, and marketing is never sent unchecked
        // (docs/deliverability.md, "Suppression"); it waits a minute, as long as the fail-closed wait.
        marketing.DeferredUntil.Should().Be(_time.GetUtcNow().AddMinutes(1));
        _instance.Health.GetHealth("paws").IsHealthy.Should().BeTrue("Redis being down is not the owner's problem");
        _instance.Get<RedisDeferredEmailQueue>().PendingWrites.Should().Be(1, "the deferral is held in memory until Redis answers");
        _instance.Outages.Limits.Should().Be(1, "only the invoice asked the limits; the marketing email stopped at the suppression list");
        _instance.Outages.Deferred.Should().Be(1);
        _transport.Accepted.Should().HaveCount(1);

        await StartRedisAsync();
        _time.Advance(TimeSpan.FromMinutes(1));
        (await _instance.Dispatcher.DispatchDueAsync(default)).Should().Be(1);

        _instance.Get<RedisDeferredEmailQueue>().PendingWrites.Should().Be(0);
        _transport.Accepted.Should().HaveCount(2);
        _transport.Accepted[1].MessageId.Should().Be(marketing.MessageId);
        _listener.Outcomes.Should().ContainSingle().Which.Channel.Should().Be(EmailChannel.Smtp);
    }

    [Fact]
    public async Task While_Redis_is_down_each_instance_keeps_its_own_breaker()
    {
        _instance = NewInstance(RedisFailureMode.FailOpen);
        var breaker = _instance.Get<IAccountBreaker>();
        var now = _time.GetUtcNow();
        (await breaker.CheckAsync("paws", "v1", now, default)).Should().Be(AccountGate.Allowed);

        await StopRedisAsync();
        await breaker.RecordFailureAsync("paws", "v1", new SmtpFailure(SmtpFailureKind.AuthenticationFailed, true, false, "Update the password."), now, null, default);

        (await breaker.CheckAsync("paws", "v1", now, default)).IsAllowed.Should().BeFalse("the local breaker still stops this instance's sign-ins");
        _instance.Health.GetHealth("paws").State.Should().Be(AccountHealthState.Failing);
    }

    private Instance NewInstance(RedisFailureMode mode) => new(
        redis.ConnectionString,
        RedisFixture.NewPrefix(),
        _time,
        _settings,
        _transport,
        _native,
        redis: options => options.FailureMode = mode,
        services: services => Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton<IEmailOutcomeListener>(services, _listener));

    private async Task<SendOutcome[]> SendAsync(EmailCategory category, int count) =>
        await Task.WhenAll(Enumerable.Range(0, count).Select(i => _instance.Sender.SendAsync(Settings.Email(category, i))));

    private Task StopRedisAsync() => RedisServerOutage.StopAsync(redis.Server, _instance);

    private Task StartRedisAsync() => RedisServerOutage.StartAgainAsync(redis.Server, _instance);
}
