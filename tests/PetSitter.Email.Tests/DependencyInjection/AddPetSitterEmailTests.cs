using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using NSubstitute;
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
        services.Count(d => d.ServiceType == typeof(IValidateOptions<PetSitterEmailOptions>)).Should().Be(2, "one generated validator for the field rules, one for the cross-field rule");
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
            o.Native.PlatformFromAddress = "not an address";
            o.Smtp.MaxConnectionsPerAccount = 0;
            o.Native.DisplayNameFormat = "Pet Sitter Plus";
            o.Smtp.Timeout = TimeSpan.Zero;
        });
        using var host = builder.Build();

        var act = () => host.StartAsync();

        var error = (await act.Should().ThrowAsync<OptionsValidationException>()).Which;
        error.Failures.Should().HaveCount(4);
        error.Message.Should().Contain("PetSitterEmailOptions.Native.PlatformFromAddress is not an email address: set the platform's sender")
            .And.Contain("The field PetSitterEmailOptions.Smtp.MaxConnectionsPerAccount must be between 1 and 100")
            .And.Contain("PetSitterEmailOptions.Native.DisplayNameFormat must be one line containing {Business}")
            .And.Contain("The field PetSitterEmailOptions.Smtp.Timeout must be between 00:00:01 and 00:10:00");
    }

    [Fact]
    public async Task An_attempt_timeout_shorter_than_one_smtp_operation_stops_the_host_at_start()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton<IBusinessEmailSettingsProvider>(new StaticSettingsProvider(TestData.Business()));
        builder.Services.AddPetSitterEmail(o =>
        {
            o.Smtp.Timeout = TimeSpan.FromMinutes(1);
            o.Retry.AttemptTimeout = TimeSpan.FromSeconds(30);
        });
        using var host = builder.Build();

        var act = () => host.StartAsync();

        (await act.Should().ThrowAsync<OptionsValidationException>()).Which.Failures.Should().ContainSingle().Which.Should().Be(
            "PetSitterEmailOptions.Retry.AttemptTimeout 00:00:30 is shorter than PetSitterEmailOptions.Smtp.Timeout 00:01:00: one attempt needs at least one operation's time.");
    }

    [Fact]
    public async Task A_slot_wait_as_long_as_the_attempt_timeout_stops_the_host_at_start()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton<IBusinessEmailSettingsProvider>(new StaticSettingsProvider(TestData.Business()));
        builder.Services.AddPetSitterEmail(o => (o.Smtp.Timeout, o.Retry.AttemptTimeout) = (TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30)))
            .ConfigureSendLimits(o => o.MaxThrottleWait = TimeSpan.FromSeconds(30));
        using var host = builder.Build();

        var act = () => host.StartAsync();

        (await act.Should().ThrowAsync<OptionsValidationException>()).Which.Failures.Should().ContainSingle().Which.Should().StartWith(
            "SendLimitOptions.MaxThrottleWait 00:00:30 is not shorter than PetSitterEmailOptions.Retry.AttemptTimeout 00:00:30: lower MaxThrottleWait or raise AttemptTimeout");
    }

    [Fact]
    public void A_slot_wait_is_not_compared_with_an_attempt_timeout_that_is_itself_invalid()
    {
        var emailOptions = Options.Create(new PetSitterEmailOptions());
        var invalid = Substitute.For<IOptions<PetSitterEmailOptions>>();
        invalid.Value.Returns(_ => throw new OptionsValidationException(nameof(PetSitterEmailOptions), typeof(PetSitterEmailOptions), ["broken"]));

        new SlotWaitValidator(invalid).Validate(null, new SendLimitOptions { MaxThrottleWait = TimeSpan.FromMinutes(1) }).Skipped.Should().BeTrue();
        new SlotWaitValidator(emailOptions).Validate(null, new SendLimitOptions { MaxThrottleWait = TimeSpan.FromMinutes(1) }).Succeeded.Should().BeTrue("2 minutes is the default attempt timeout");
    }

    [Fact]
    public void Each_option_group_is_the_same_object_the_app_configured()
    {
        var services = new ServiceCollection();
        services.AddPetSitterEmail(o => o.Smtp.Timeout = TimeSpan.FromSeconds(7));
        using var provider = services.BuildServiceProvider();

        var all = provider.GetRequiredService<IOptions<PetSitterEmailOptions>>().Value;
        provider.GetRequiredService<IOptions<SmtpTransportOptions>>().Value.Should().BeSameAs(all.Smtp).And.Match<SmtpTransportOptions>(o => o.Timeout == TimeSpan.FromSeconds(7));
        provider.GetRequiredService<IOptions<NativeIdentityOptions>>().Value.Should().BeSameAs(all.Native);
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
