using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PetSitter.Email.Redis.Tests.Support;
using StackExchange.Redis;

namespace PetSitter.Email.Redis.Tests.DependencyInjection;

public sealed class UseRedisTests
{
    [Fact]
    public async Task UseRedis_moves_limits_breakers_and_deferred_mail_to_Redis_and_keeps_the_health_monitor()
    {
        await using var provider = Build(options => options.ConnectionString = "127.0.0.1:1");

        provider.GetRequiredService<ISendQuotaStore>().Should().BeOfType<RedisSendQuotaStore>();
        provider.GetRequiredService<IAccountBreaker>().Should().BeOfType<RedisAccountBreaker>();
        provider.GetRequiredService<IDeferredEmailQueue>().Should().BeOfType<RedisDeferredEmailQueue>();
        provider.GetRequiredService<IDeadLetterStore>().Should().BeSameAs(provider.GetRequiredService<IDeferredEmailQueue>());
        provider.GetRequiredService<IAccountHealthMonitor>().Should().BeOfType<AccountHealthTracker>();
    }

    [Fact]
    public async Task Options_without_a_connection_fail_at_start_with_the_fix()
    {
        await using var provider = Build(_ => { });

        var start = () => provider.GetRequiredService<IStartupValidator>().Validate();

        start.Should().Throw<OptionsValidationException>().WithMessage("*Set exactly one of RedisEmailOptions.ConnectionString*");
    }

    [Fact]
    public async Task Every_invalid_option_is_reported_at_once()
    {
        await using var provider = Build(options =>
        {
            options.ConnectionString = "localhost";
            options.ConnectionFactory = _ => throw new InvalidOperationException("never called");
            options.KeyPrefix = "{tenant}:";
            options.FailureMode = (RedisFailureMode)9;
            options.FailClosedRetryAfter = TimeSpan.Zero;
            options.DeferredLeaseDuration = TimeSpan.FromSeconds(1);
            options.MaxLeaseExpiries = 0;
            options.Database = 16;
        });

        var start = () => provider.GetRequiredService<IStartupValidator>().Validate();

        var failures = start.Should().Throw<OptionsValidationException>().Which.Failures.ToList();
        failures.Should().HaveCount(7);
        failures.Should().Contain(f => f.Contains("KeyPrefix '{tenant}:'", StringComparison.Ordinal));
    }

    [Fact]
    public void The_connection_string_gets_outage_friendly_defaults_unless_it_sets_them()
    {
        var configured = RedisConnection.Configure("cache.internal:6380,password=hunter2", TimeSpan.FromMilliseconds(750));
        var explicitAbort = RedisConnection.Configure("cache.internal:6380,abortConnect=true,asyncTimeout=5000", TimeSpan.FromMilliseconds(750));

        configured.AbortOnConnectFail.Should().BeFalse();
        configured.AsyncTimeout.Should().Be(750);
        configured.BacklogPolicy.Should().BeSameAs(BacklogPolicy.FailFast);
        explicitAbort.AbortOnConnectFail.Should().BeTrue();
        explicitAbort.AsyncTimeout.Should().Be(5000);
    }

    [Fact]
    public void Options_never_show_the_password()
    {
        var options = new RedisEmailOptions { ConnectionString = "cache.internal:6380,password=hunter2,ssl=true" };

        options.ToString().Should().NotContain("hunter2").And.Contain("password=***").And.Contain("FailClosed");
    }

    [Fact]
    public void Keys_hash_the_identifier_into_a_cluster_hash_tag()
    {
        var keys = new RedisKeys("app:");

        ((string?)keys.Quota("SMTP.GMAIL.COM:OWNER@GMAIL.COM")).Should().MatchRegex("^app:quota:\\{[0-9a-f]{24}\\}$").And.NotContainEquivalentOf("gmail");
        var (state, probe) = keys.Health("paws");
        ((string?)probe).Should().Be((string?)state + ":probe");
        ((string?)keys.DeferredDue).Should().Be("app:deferred:{q}:due");
        RedisKeys.Tag("paws").Should().Be(RedisKeys.Tag("paws")).And.NotBe(RedisKeys.Tag("paws2"));
    }

    private static ServiceProvider Build(Action<RedisEmailOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IBusinessEmailSettingsProvider>(new Settings());
        services.AddPetSitterEmail().UseRedis(configure);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}
