using Microsoft.Extensions.Time.Testing;
using PetSitter.Email.Redis.Tests.Support;
using PetSitter.Email.Testing;

namespace PetSitter.Email.Redis.Tests.Health;

[Collection(RedisGroup.Name)]
public sealed class SharedBreakerTests(RedisFixture redis) : IAsyncLifetime
{
    private const string BusinessId = "paws";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero));
    private readonly string _prefix = RedisFixture.NewPrefix();
    private readonly Fleet _fleet = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _fleet.DisposeAsync().AsTask();

    [Fact]
    public async Task A_wrong_password_costs_one_sign_in_across_four_instances_and_new_credentials_reopen_it_for_all()
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new() { UserName = "owner@paws.example", Password = "right-password" });
        var settings = new Settings(Settings.Business(server.CreateAccountSettings("owner@paws.example", password: "wrong-password")));
        var native = new RecordingNativeMailer();
        var fleet = Fleet(4, settings, native);
        var heard = new List<AccountHealthChangedEventArgs>();
        fleet[2].Health.HealthChanged += (_, change) => heard.Add(change);

        var first = await fleet[0].Sender.SendAsync(Settings.Email(EmailCategory.Invoice, 1));
        var rest = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => fleet[1 + (i % 3)].Sender.SendAsync(Settings.Email(EmailCategory.Invoice, 2 + i))));

        server.AuthenticationsFailed.Should().Be(1, "the breaker the first instance opened stops the other three before they sign in");
        first.FailureKind.Should().Be(SmtpFailureKind.AuthenticationFailed);
        rest.Should().OnlyContain(o => o.Channel == EmailChannel.Native && o.FailureKind == SmtpFailureKind.AuthenticationFailed, "invoices fall back to the native mailer");
        native.Messages.Should().HaveCount(13);
        foreach (var instance in fleet)
        {
            instance.Health.GetHealth(BusinessId).Should().Match<AccountHealth>(h => h.State == AccountHealthState.Failing && h.Kind == SmtpFailureKind.AuthenticationFailed);
        }

        heard.Should().ContainSingle("each process hears the change it saw itself").Which.Kind.Should().Be(SmtpFailureKind.AuthenticationFailed);

        settings.Set(Settings.Business(server.CreateAccountSettings("owner@paws.example", password: "right-password")));
        var fixedSend = await fleet[3].Sender.SendAsync(Settings.Email(EmailCategory.Invoice, 100));
        var afterFix = await fleet[1].Sender.SendAsync(Settings.Email(EmailCategory.Invoice, 101));

        fixedSend.Channel.Should().Be(EmailChannel.Smtp);
        afterFix.Channel.Should().Be(EmailChannel.Smtp);
        server.AuthenticationsFailed.Should().Be(1);
        fleet[1].Health.GetHealth(BusinessId).IsHealthy.Should().BeTrue();
        heard.Should().HaveCount(1, "instance 2 has not sent since: its view changes when it next sends");
    }

    [Fact]
    public async Task Exactly_one_instance_probes_a_failing_account_and_its_success_closes_it_for_all()
    {
        var breakers = Breakers(4);
        await breakers[0].RecordFailureAsync(BusinessId, "v1", Failure(SmtpFailureKind.AccountUnavailable), Now, null, default);
        (await breakers[3].CheckAsync(BusinessId, "v1", Now, default)).IsAllowed.Should().BeFalse();

        _time.Advance(TimeSpan.FromMinutes(1));
        var gates = await Task.WhenAll(breakers.Select(b => b.CheckAsync(BusinessId, "v1", Now, default).AsTask()));

        gates.Count(g => g.IsProbe).Should().Be(1);
        gates.Where(g => !g.IsAllowed).Should().HaveCount(3).And.OnlyContain(g => g.RetryAt == Now + TimeSpan.FromMinutes(5), "the others wait for the probe, at most the probe timeout");
        var prober = breakers[Array.FindIndex(gates, g => g.IsProbe)];

        await prober.RecordSuccessAsync(BusinessId, "v1", Now, default);

        foreach (var breaker in breakers)
        {
            var gate = await breaker.CheckAsync(BusinessId, "v1", Now, default);
            gate.Should().Be(AccountGate.Allowed);
        }
    }

    [Fact]
    public async Task A_probe_that_never_reports_lets_another_instance_probe_after_the_probe_timeout()
    {
        var breakers = Breakers(2);
        await breakers[0].RecordFailureAsync(BusinessId, "v1", Failure(SmtpFailureKind.Misconfigured), Now, null, default);
        _time.Advance(TimeSpan.FromMinutes(1));
        (await breakers[0].CheckAsync(BusinessId, "v1", Now, default)).IsProbe.Should().BeTrue();

        _time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        (await breakers[1].CheckAsync(BusinessId, "v1", Now, default)).IsAllowed.Should().BeFalse();
        _time.Advance(TimeSpan.FromSeconds(1));
        (await breakers[1].CheckAsync(BusinessId, "v1", Now, default)).IsProbe.Should().BeTrue();
    }

    [Fact]
    public async Task A_failed_probe_multiplies_the_wait_for_every_instance()
    {
        var breakers = Breakers(2);
        await breakers[0].RecordFailureAsync(BusinessId, "v1", Failure(SmtpFailureKind.AccountUnavailable), Now, null, default);
        _time.Advance(TimeSpan.FromMinutes(1));
        (await breakers[1].CheckAsync(BusinessId, "v1", Now, default)).IsProbe.Should().BeTrue();

        await breakers[1].RecordFailureAsync(BusinessId, "v1", Failure(SmtpFailureKind.AccountUnavailable), Now, null, default);

        var gate = await breakers[0].CheckAsync(BusinessId, "v1", Now, default);
        gate.RetryAt.Should().Be(Now + TimeSpan.FromMinutes(4));
    }

    [Fact]
    public async Task A_quota_throttle_reported_by_one_instance_holds_all_until_the_reset_then_lets_mail_flow_without_a_probe()
    {
        var breakers = Breakers(2);
        var reset = Now + TimeSpan.FromHours(1);
        await breakers[0].RecordFailureAsync(BusinessId, "v1", Failure(SmtpFailureKind.SendLimitReached), Now, reset, default);

        var blocked = await breakers[1].CheckAsync(BusinessId, "v1", Now, default);
        blocked.IsAllowed.Should().BeFalse();
        blocked.RetryAt.Should().Be(reset);
        blocked.Failure!.Kind.Should().Be(SmtpFailureKind.SendLimitReached);
        _fleet[1].Health.GetHealth(BusinessId).State.Should().Be(AccountHealthState.Throttled);

        _time.Advance(TimeSpan.FromHours(1));
        (await breakers[1].CheckAsync(BusinessId, "v1", Now, default)).Should().Be(AccountGate.Allowed);
        (await breakers[0].CheckAsync(BusinessId, "v1", Now, default)).Should().Be(AccountGate.Allowed);
    }

    [Fact]
    public async Task A_failure_reported_with_old_credentials_does_not_reopen_the_breaker_for_new_ones()
    {
        var breakers = Breakers(2);
        await breakers[0].RecordFailureAsync(BusinessId, "v1", Failure(SmtpFailureKind.AuthenticationFailed), Now, null, default);
        (await breakers[1].CheckAsync(BusinessId, "v2", Now, default)).Should().Be(AccountGate.Allowed, "the owner changed the password");
        await breakers[1].RecordFailureAsync(BusinessId, "v2", Failure(SmtpFailureKind.Transient, accountLevel: false), Now, null, default);

        (await breakers[0].CheckAsync(BusinessId, "v2", Now, default)).Should().Be(AccountGate.Allowed);
    }

    [Fact]
    public async Task Breaker_state_expires_after_its_retry_time_plus_the_retention()
    {
        var breakers = Breakers(1);
        await breakers[0].RecordFailureAsync(BusinessId, "v1", Failure(SmtpFailureKind.AuthenticationFailed), Now, null, default);

        var ttl = await redis.Admin.KeyTimeToLiveAsync(_prefix + "health:{" + RedisKeys.Tag(BusinessId) + "}");

        ttl.Should().NotBeNull();
        ttl!.Value.Should().BeCloseTo(TimeSpan.FromHours(6) + TimeSpan.FromDays(1), TimeSpan.FromSeconds(5));
    }

    private DateTimeOffset Now => _time.GetUtcNow();

    private static SmtpFailure Failure(SmtpFailureKind kind, bool accountLevel = true) =>
        new(kind, accountLevel, kind is SmtpFailureKind.Transient or SmtpFailureKind.SendLimitReached, $"Advice for {kind}.", SmtpStage.Authenticate, 535, "5.7.8 Username and Password not accepted.");

    private Instance[] Fleet(int count, Settings settings, INativeMailer? native = null)
    {
        var fleet = Enumerable.Range(0, count).Select(_ => new Instance(redis.ConnectionString, _prefix, _time, settings, native: native)).ToArray();
        _fleet.AddRange(fleet);
        return fleet;
    }

    private IAccountBreaker[] Breakers(int count) => [.. Fleet(count, new Settings()).Select(i => i.Get<IAccountBreaker>())];
}
