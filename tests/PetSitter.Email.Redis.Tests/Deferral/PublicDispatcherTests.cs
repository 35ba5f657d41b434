using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using PetSitter.Email.Redis.Tests.Support;

namespace PetSitter.Email.Redis.Tests.Deferral;

/// <summary>
/// The public <see cref="IDeferredEmailDispatcher"/> over the Redis queue, resolved from each instance's
/// container (issue 11, item 4), and the Redis stores built without any logging registered (item 3).
/// </summary>
[Collection(RedisGroup.Name)]
public sealed class PublicDispatcherTests(RedisFixture redis) : IAsyncLifetime
{
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

    [Fact]
    public async Task Mail_deferred_by_one_instance_goes_out_once_when_another_dispatches_it()
    {
        var deferring = NewInstance();
        var dispatching = NewInstance();
        await deferring.Get<ISendQuotaStore>().MarkExhaustedAsync(SmtpChannel.AccountKey(Settings.Unlimited()), _time.GetUtcNow().AddHours(1), "550 5.4.5 Daily user sending limit exceeded.");
        var emails = Enumerable.Range(1, 3).Select(i => Settings.Email(EmailCategory.Marketing, i)).ToArray();
        foreach (var email in emails)
        {
            (await deferring.Sender.SendAsync(email)).Status.Should().Be(SendStatus.Deferred);
        }

        var early = await dispatching.Get<IDeferredEmailDispatcher>().DispatchDueAsync();
        _time.Advance(TimeSpan.FromHours(1));
        var due = await dispatching.Get<IDeferredEmailDispatcher>().DispatchDueAsync();
        var again = await deferring.Get<IDeferredEmailDispatcher>().DispatchDueAsync();

        early.Taken.Should().Be(0);
        (due.Taken, due.Sent, due.Deferred, due.Failed, due.DeliveryUncertain).Should().Be((3, 3, 0, 0, 0), due.ToString());
        again.Taken.Should().Be(0, "nothing is handed out twice");
        _transport.Accepted.Select(a => a.MessageId).Should().BeEquivalentTo(emails.Select(e => e.Message.MessageId));
        _listener.Outcomes.Should().HaveCount(3).And.OnlyContain(o => o.Status == SendStatus.Sent);
    }

    [Fact]
    public async Task Two_instances_dispatching_at_once_send_each_due_email_once()
    {
        var fleet = new[] { NewInstance(), NewInstance() };
        await fleet[0].Get<ISendQuotaStore>().MarkExhaustedAsync(SmtpChannel.AccountKey(Settings.Unlimited()), _time.GetUtcNow().AddHours(1), "550 5.4.5 Daily user sending limit exceeded.");
        for (var i = 1; i <= 40; i++)
        {
            (await fleet[i % 2].Sender.SendAsync(Settings.Email(EmailCategory.Marketing, i))).Status.Should().Be(SendStatus.Deferred);
        }

        _time.Advance(TimeSpan.FromHours(1));
        var results = await Task.WhenAll(fleet.Select(f => f.Get<IDeferredEmailDispatcher>().DispatchDueAsync()));

        results.Sum(r => r.Sent).Should().Be(40, string.Join("; ", results.Select(r => r.ToString())));
        results.Sum(r => r.Taken).Should().Be(40);
        _transport.Accepted.Select(a => a.MessageId).Should().OnlyHaveUniqueItems().And.HaveCount(40);
        (await fleet[0].Queue.CountAsync(default)).Should().Be(0);
    }

    [Fact]
    public async Task Without_any_logging_the_redis_stores_resolve_and_register_no_logging()
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_time);
        services.AddSingleton<IBusinessEmailSettingsProvider>(_settings);
        services.AddSingleton<ISmtpTransport>(_transport);
        services.AddPetSitterEmail().UseRedis(options =>
        {
            options.ConnectionString = redis.ConnectionString;
            options.KeyPrefix = _prefix;
        });

        services.Should().NotContain(d => d.ServiceType == typeof(ILoggerFactory) || d.ServiceType == typeof(ILogger<>), "logging is the host's to register");
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        foreach (var serviceType in services.Select(d => d.ServiceType).Where(t => !t.IsGenericTypeDefinition).Distinct())
        {
            provider.GetServices(serviceType).Should().NotContainNulls(serviceType.Name);
        }

        var outcome = await provider.GetRequiredService<IEmailSender>().SendAsync(Settings.Email(EmailCategory.Invoice, 1));

        outcome.Status.Should().Be(SendStatus.Sent, outcome.ToString());
        outcome.Channel.Should().Be(EmailChannel.Smtp);
        (await provider.GetRequiredService<IDeferredEmailDispatcher>().DispatchDueAsync()).Taken.Should().Be(0);
    }

    private Instance NewInstance()
    {
        var instance = new Instance(
            redis.ConnectionString,
            _prefix,
            _time,
            _settings,
            _transport,
            services: collection => collection.AddSingleton<IEmailOutcomeListener>(_listener));
        _instances.Add(instance);
        return instance;
    }
}
