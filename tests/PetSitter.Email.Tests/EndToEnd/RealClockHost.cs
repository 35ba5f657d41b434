using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PetSitter.Email.Testing;
using PetSitter.Email.Tests.Support;

namespace PetSitter.Email.Tests.EndToEnd;

/// <summary>
/// The library as an app composes it, on the real clock: for the few tests where time on the wire is the point
/// (a per-second window measured at the server, a throttle wait of seconds). Only the native mailer and the
/// settings store stand in for the outside world; the SMTP servers are real, on loopback.
/// </summary>
internal sealed class RealClockHost : IAsyncDisposable
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);
    private readonly ServiceProvider _provider;

    public RealClockHost(TimeSpan maxThrottleWait)
    {
        var services = new ServiceCollection();
        services.AddSingleton(TimeProvider.System);
        services.AddTestLogging();
        services.AddSingleton<IBusinessEmailSettingsProvider>(Settings);
        services.AddSingleton<IEmailOutcomeListener>(Outcomes);
        var builder = services.AddPetSitterEmail(options =>
        {
            options.Retry.Delay = TimeSpan.Zero;
            options.Smtp.Timeout = TimeSpan.FromSeconds(20);
        });
        builder.ConfigureSendLimits(options => options.MaxThrottleWait = maxThrottleWait);
        services.Replace(ServiceDescriptor.Singleton<INativeMailer>(Native));
        _provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        _provider.GetRequiredService<IStartupValidator>().Validate();
    }

    public MutableSettingsProvider Settings { get; } = new();

    public RecordingNativeMailer Native { get; } = new();

    public RecordingOutcomeListener Outcomes { get; } = new();

    public IEmailSender Sender => _provider.GetRequiredService<IEmailSender>();

    public IDeferredEmailQueue Queue => _provider.GetRequiredService<IDeferredEmailQueue>();

    public ISendQuotaStore Quotas => _provider.GetRequiredService<ISendQuotaStore>();

    public async Task<SendOutcome> SendAsync(string businessId, EmailCategory category, int number)
    {
        using var guard = new CancellationTokenSource(Guard);
        return await Sender.SendAsync(new OutgoingEmail(businessId, category, EndToEndHost.Message(number, category)), guard.Token);
    }

    public ValueTask DisposeAsync() => _provider.DisposeAsync();
}
