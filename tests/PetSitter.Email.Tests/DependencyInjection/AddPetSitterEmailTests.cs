using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PetSitter.Email.Tests.Support;

namespace PetSitter.Email.Tests.DependencyInjection;

public class AddPetSitterEmailTests
{
    [Fact]
    public void Registers_the_sender_the_pickup_mailer_and_a_time_provider()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IBusinessEmailSettingsProvider>(new StaticSettingsProvider(TestData.Business()));
        services.AddSingleton(NSubstitute.Substitute.For<ISmtpTransport>());

        services.AddPetSitterEmail();
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        provider.GetRequiredService<IEmailSender>().Should().NotBeNull();
        provider.GetRequiredService<INativeMailer>().Should().BeOfType<PickupDirectoryNativeMailer>();
        provider.GetRequiredService<TimeProvider>().Should().BeSameAs(TimeProvider.System);
    }

    [Fact]
    public void Calling_it_twice_registers_everything_once()
    {
        var services = new ServiceCollection();

        services.AddPetSitterEmail();
        var count = services.Count;
        services.AddPetSitterEmail();

        services.Count(d => d.ServiceType == typeof(IEmailSender)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(IValidateOptions<PetSitterEmailOptions>)).Should().Be(1);
        services.Count.Should().BeLessThanOrEqualTo(count + 2, "only the options configuration and start-up validation may repeat");
    }

    [Fact]
    public void A_registered_time_provider_is_kept()
    {
        var services = new ServiceCollection();
        var fake = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        services.AddSingleton<TimeProvider>(fake);

        services.AddPetSitterEmail();

        services.BuildServiceProvider().GetRequiredService<TimeProvider>().Should().BeSameAs(fake);
    }

    [Fact]
    public async Task Invalid_options_stop_the_host_at_start_with_messages_that_name_the_option()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton<IBusinessEmailSettingsProvider>(new StaticSettingsProvider(TestData.Business()));
        builder.Services.AddPetSitterEmail(o =>
        {
            o.PlatformFromAddress = "not an address";
            o.MaxConnectionsPerAccount = 0;
            o.NativeDisplayNameFormat = "Pet Sitter Plus";
            o.SmtpTimeout = TimeSpan.Zero;
        });
        using var host = builder.Build();

        var act = () => host.StartAsync();

        var error = (await act.Should().ThrowAsync<OptionsValidationException>()).Which;
        error.Failures.Should().HaveCount(4);
        error.Message.Should().Contain("PetSitterEmailOptions.PlatformFromAddress")
            .And.Contain("PetSitterEmailOptions.MaxConnectionsPerAccount")
            .And.Contain("PetSitterEmailOptions.NativeDisplayNameFormat")
            .And.Contain("PetSitterEmailOptions.SmtpTimeout");
    }

    [Fact]
    public void Use_pickup_directory_sets_the_directory_and_returns_the_builder()
    {
        var services = new ServiceCollection();

        var builder = services.AddPetSitterEmail();
        builder.UsePickupDirectory("/var/mail/pickup").Should().BeSameAs(builder);

        services.BuildServiceProvider().GetRequiredService<IOptions<PickupDirectoryOptions>>().Value.Directory.Should().Be("/var/mail/pickup");
    }

    [Fact]
    public void Null_arguments_are_refused()
    {
        FluentActions.Invoking(() => ((IServiceCollection)null!).AddPetSitterEmail()).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => new ServiceCollection().AddPetSitterEmail().UsePickupDirectory(" ")).Should().Throw<ArgumentException>();
    }
}
