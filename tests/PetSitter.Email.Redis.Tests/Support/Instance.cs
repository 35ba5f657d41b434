using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PetSitter.Email.Testing;
using PetSitter.Email.Tests.Support;

namespace PetSitter.Email.Redis.Tests.Support;

/// <summary>
/// One app instance as the app would build it (its own service provider, its own Redis connection) with
/// the outside world shared: the clock, the businesses' settings, the SMTP transport and the native mailer.
/// </summary>
internal sealed class Instance : IAsyncDisposable
{
    private readonly ServiceProvider _provider;

    public Instance(
        string connectionString,
        string keyPrefix,
        TimeProvider time,
        IBusinessEmailSettingsProvider settings,
        ISmtpTransport? smtp = null,
        INativeMailer? native = null,
        Action<RedisEmailOptions>? redis = null,
        Action<IServiceCollection>? services = null)
    {
        var collection = new ServiceCollection();
        collection.AddSingleton(time);
        collection.AddTestLogging();
        collection.AddSingleton(settings);
        if (smtp is not null)
        {
            collection.AddSingleton(smtp);
        }

        collection.AddPetSitterEmail(options => options.Retry.MaxRetryAttempts = 0)
            .ConfigureSendLimits(options => options.MaxThrottleWait = TimeSpan.Zero)
            .UseRedis(options =>
            {
                options.ConnectionString = connectionString;
                options.KeyPrefix = keyPrefix;
                options.OperationTimeout = TimeSpan.FromSeconds(1);
                redis?.Invoke(options);
            });
        collection.Replace(ServiceDescriptor.Singleton(native ?? new RecordingNativeMailer()));
        services?.Invoke(collection);
        _provider = collection.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        // What the host does at start: fail on invalid options.
        _provider.GetRequiredService<IStartupValidator>().Validate();
    }

    public IEmailSender Sender => Get<IEmailSender>();

    public IAccountHealthMonitor Health => Get<IAccountHealthMonitor>();

    public IDeferredEmailQueue Queue => Get<IDeferredEmailQueue>();

    public IDeadLetterStore DeadLetters => Get<IDeadLetterStore>();

    public DeferredEmailDispatcher Dispatcher => _provider.GetServices<IHostedService>().OfType<DeferredEmailDispatcher>().Single();

    public RedisOutageCounter Outages => Get<RedisOutageCounter>();

    public T Get<T>()
        where T : notnull => _provider.GetRequiredService<T>();

    public ValueTask DisposeAsync() => _provider.DisposeAsync();
}
