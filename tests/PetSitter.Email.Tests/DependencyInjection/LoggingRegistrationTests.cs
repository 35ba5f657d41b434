using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using PetSitter.Email.Testing;
using PetSitter.Email.Tests.EndToEnd;
using PetSitter.Email.Tests.Secrets;
using PetSitter.Email.Tests.Support;

namespace PetSitter.Email.Tests.DependencyInjection;

/// <summary>
/// The library uses the app's logging and never registers any itself (issue 11, item 3): called before
/// AddLogging it used to register a null logger factory that silenced the whole app.
/// </summary>
public sealed partial class LoggingRegistrationTests
{
    private const string AppEntry = "The app's own entry";

    public static TheoryData<bool> LibraryFirst => new() { true, false };

    [Theory]
    [MemberData(nameof(LibraryFirst))]
    public async Task On_a_plain_service_collection_the_apps_provider_hears_the_app_and_the_library_in_either_order(bool libraryFirst)
    {
        await using var server = await ScriptedSmtpServer.StartAsync();
        var logs = new FakeLoggerProvider();
        var services = new ServiceCollection();
        if (libraryFirst)
        {
            services.AddPetSitterEmail();
            services.AddLogging(logging => Configure(logging, logs));
        }
        else
        {
            services.AddLogging(logging => Configure(logging, logs));
            services.AddPetSitterEmail();
        }

        AddBusiness(services, server);
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });

        await SendAndLogAsync(provider);

        AssertBothHeard(logs);
        provider.GetRequiredService<ILoggerFactory>().Should().BeOfType<LoggerFactory>("the app's factory, not a null one");
    }

    [Theory]
    [MemberData(nameof(LibraryFirst))]
    public async Task On_a_host_builder_the_apps_provider_hears_the_app_and_the_library_in_either_order(bool libraryFirst)
    {
        await using var server = await ScriptedSmtpServer.StartAsync();
        var logs = new FakeLoggerProvider();
        var builder = Host.CreateDefaultBuilder();
        if (libraryFirst)
        {
            builder.ConfigureServices(services => services.AddPetSitterEmail());
            builder.ConfigureLogging(logging => Configure(logging.ClearProviders(), logs));
        }
        else
        {
            builder.ConfigureLogging(logging => Configure(logging.ClearProviders(), logs));
            builder.ConfigureServices(services => services.AddPetSitterEmail());
        }

        builder.ConfigureServices(services => AddBusiness(services, server));
        using var host = builder.Build();

        await SendAndLogAsync(host.Services);

        AssertBothHeard(logs);
    }

    [Fact]
    public async Task On_an_application_builder_the_library_registered_first_logs_to_the_providers_added_later()
    {
        await using var server = await ScriptedSmtpServer.StartAsync();
        var logs = new FakeLoggerProvider();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddPetSitterEmail();
        Configure(builder.Logging.ClearProviders(), logs);
        AddBusiness(builder.Services, server);
        using var host = builder.Build();

        await SendAndLogAsync(host.Services);

        AssertBothHeard(logs);
    }

    [Fact]
    public async Task Without_any_logging_every_library_service_resolves_and_an_email_is_sent()
    {
        await using var server = await ScriptedSmtpServer.StartAsync();
        var services = new ServiceCollection();
        // The relay too, so its transport is built without logging as well (it is never asked to send here).
        services.AddPetSitterEmail().UseNativeSmtpRelay(relay => relay.Host = "relay.platform.example");
        AddBusiness(services, server);

        services.Should().NotContain(d => d.ServiceType == typeof(ILoggerFactory) || d.ServiceType == typeof(ILogger<>), "logging is the host's to register");
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        foreach (var serviceType in services.Select(d => d.ServiceType).Where(t => !t.IsGenericTypeDefinition).Distinct())
        {
            provider.GetServices(serviceType).Should().NotContainNulls(serviceType.Name);
        }

        var outcome = await provider.GetRequiredService<IEmailSender>().SendAsync(new OutgoingEmail("paws", EmailCategory.Invoice, EndToEndHost.Message(1, EmailCategory.Invoice)));

        outcome.Status.Should().Be(SendStatus.Sent, outcome.ToString());
        outcome.Channel.Should().Be(EmailChannel.Smtp);
        server.Messages.Should().ContainSingle();
        provider.GetService<ILoggerFactory>().Should().BeNull();
    }

    [Fact]
    public void An_app_that_registers_only_a_logger_factory_gets_its_loggers_in_the_library()
    {
        var logs = new FakeLoggerProvider();
        using var factory = LoggerFactory.Create(logging => Configure(logging, logs));
        var services = new ServiceCollection();
        services.AddSingleton(factory);
        services.AddPetSitterEmail();
        services.AddSingleton<IBusinessEmailSettingsProvider>(new StaticSettingsProvider());
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IEmailSender>().Should().NotBeNull();
        provider.GetRequiredService<IAccountHealthMonitor>().Should().NotBeNull();
        provider.GetService<ILogger<LoggingRegistrationTests>>().Should().BeNull("the library registered no ILogger<>");
        factory.Should().NotBeOfType<NullLoggerFactory>();
    }

    private static void Configure(ILoggingBuilder logging, FakeLoggerProvider logs) =>
        logging.SetMinimumLevel(LogLevel.Trace).AddProvider(logs).AddProvider(SecretScanningLoggerProvider.Instance);

    private static void AddBusiness(IServiceCollection services, ScriptedSmtpServer server) =>
        services.AddSingleton<IBusinessEmailSettingsProvider>(new StaticSettingsProvider(EndToEndHost.Business("paws", server.CreateAccountSettings("owner@paws.example"))));

    private static async Task SendAndLogAsync(IServiceProvider provider)
    {
        var logger = provider.GetRequiredService<ILogger<LoggingRegistrationTests>>();
        LogAppEntry(logger);
        var outcome = await provider.GetRequiredService<IEmailSender>().SendAsync(new OutgoingEmail("paws", EmailCategory.Invoice, EndToEndHost.Message(1, EmailCategory.Invoice)));
        outcome.Status.Should().Be(SendStatus.Sent, outcome.ToString());
    }

    [LoggerMessage(EventId = 9001, Level = LogLevel.Information, Message = AppEntry)]
    private static partial void LogAppEntry(ILogger logger);

    private static void AssertBothHeard(FakeLoggerProvider logs)
    {
        var records = logs.Collector.GetSnapshot();
        records.Should().Contain(r => r.Category == typeof(LoggingRegistrationTests).FullName && r.Message == AppEntry, "the app's own logger works");
        records.Should().Contain(r => r.Category == typeof(EmailSender).FullName && r.Id.Id == 1001, "the library logs the send to the app's provider");
        records.Should().Contain(r => r.Category == typeof(MailKitSmtpTransport).FullName && r.Id.Id == 2001, "the transport logs the connection it opened");
    }
}
