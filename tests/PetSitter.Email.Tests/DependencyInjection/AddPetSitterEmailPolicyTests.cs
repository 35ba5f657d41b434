using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NSubstitute;
using PetSitter.Email.Tests.Support;

namespace PetSitter.Email.Tests.DependencyInjection;

public class AddPetSitterEmailPolicyTests
{
    private static ServiceProvider Build(Action<IServiceCollection>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddTestLogging();
        services.AddSingleton(Substitute.For<IDeferredEmailResender>());
        services.AddPetSitterEmailPolicy();
        configure?.Invoke(services);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    [Fact]
    public void The_tracker_is_one_instance_behind_the_monitor_interface()
    {
        using var provider = Build();

        provider.GetRequiredService<IAccountHealthMonitor>().Should().BeSameAs(provider.GetRequiredService<AccountHealthTracker>());
        provider.GetRequiredService<IDeferredEmailQueue>().Should().BeOfType<InMemoryDeferredEmailQueue>();
        provider.GetRequiredService<FallbackPolicy>().Should().NotBeNull();
        provider.GetServices<IHostedService>().Should().ContainSingle().Which.Should().BeOfType<DeferredEmailDispatcher>();
    }

    [Fact]
    public void Calling_it_twice_registers_each_part_once()
    {
        var services = new ServiceCollection();

        services.AddPetSitterEmailPolicy();
        var count = services.Count;
        services.AddPetSitterEmailPolicy();

        services.Should().HaveCount(count);
    }

    [Fact]
    public void A_queue_registered_by_the_app_is_kept()
    {
        var custom = Substitute.For<IDeferredEmailQueue>();
        var services = new ServiceCollection();
        services.AddSingleton(custom);

        services.AddPetSitterEmailPolicy();

        services.Where(d => d.ServiceType == typeof(IDeferredEmailQueue)).Should().ContainSingle().Which.ImplementationInstance.Should().BeSameAs(custom);
    }

    [Fact]
    public async Task Invalid_policy_options_stop_the_host_at_start_naming_the_option()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton(Substitute.For<IDeferredEmailResender>());
        builder.Services.AddPetSitterEmailPolicy();
        builder.Services.Configure<FallbackPolicyOptions>(o => o.MaxDeferredAttempts = 0);
        builder.Services.Configure<AccountHealthOptions>(o => o.ProbeTimeout = TimeSpan.Zero);
        using var host = builder.Build();

        var error = await Record.ExceptionAsync(() => host.StartAsync());

        var messages = error.Should().BeOfType<AggregateException>().Which.InnerExceptions.Select(e => e.Message);
        messages.Should().BeEquivalentTo(
            "MaxDeferredAttempts: The field FallbackPolicyOptions.MaxDeferredAttempts must be between 1 and 1000.",
            "ProbeTimeout: The field AccountHealthOptions.ProbeTimeout must be between 00:00:10 and 01:00:00.");
    }
}
