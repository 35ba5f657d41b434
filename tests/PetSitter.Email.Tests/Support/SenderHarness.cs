using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace PetSitter.Email.Tests.Support;

/// <summary>The library as an app registers it, with the outside world (transport, native mailer, clock) replaced.</summary>
internal sealed class SenderHarness : IDisposable
{
    private readonly ServiceProvider _provider;

    public SenderHarness(ISmtpTransport smtp, INativeMailer native, Action<PetSitterEmailOptions>? configure = null, params BusinessEmailSettings[] businesses)
        : this(smtp, native, new StaticSettingsProvider(businesses), configure)
    {
    }

    public SenderHarness(ISmtpTransport smtp, INativeMailer native, IBusinessEmailSettingsProvider settings, Action<PetSitterEmailOptions>? configure = null)
    {
        Time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero));
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Time);
        services.AddTestLogging();
        services.AddSingleton(settings);
        services.AddSingleton(smtp);
        services.AddPetSitterEmail(options =>
        {
            options.Retry.MaxRetryAttempts = 0;
            configure?.Invoke(options);
        });
        services.Replace(ServiceDescriptor.Singleton(native));
        _provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public FakeTimeProvider Time { get; }

    public EmailSender Sender => _provider.GetRequiredService<EmailSender>();

    public IAccountHealthMonitor Health => _provider.GetRequiredService<IAccountHealthMonitor>();

    public IDeferredEmailQueue Deferred => _provider.GetRequiredService<IDeferredEmailQueue>();

    public T Get<T>()
        where T : notnull => _provider.GetRequiredService<T>();

    public void Dispose() => _provider.Dispose();
}
