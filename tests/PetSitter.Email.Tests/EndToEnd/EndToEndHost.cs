using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using PetSitter.Email.Testing;
using PetSitter.Email.Tests.Support;

namespace PetSitter.Email.Tests.EndToEnd;

/// <summary>
/// The library composed as an app composes it, with the real MailKit transport talking to scripted servers
/// on loopback. Only the native mailer (a recorder), the settings store and the library's clock (a fake
/// that moves only when a test moves it) stand in for the outside world.
/// </summary>
internal sealed class EndToEndHost : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 27, 9, 0, 0, TimeSpan.Zero);

    /// <summary>Long enough for a loaded 2-core machine, short enough that a hang fails the test instead of the run.</summary>
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    private readonly ServiceProvider _provider;

    public EndToEndHost(Action<IPetSitterEmailBuilder>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Time);
        services.AddTestLogging();
        services.AddSingleton<IBusinessEmailSettingsProvider>(Settings);
        services.AddSingleton<IEmailOutcomeListener>(Outcomes);
        var builder = services.AddPetSitterEmail(options =>
        {
            // Polly waits for its retry delay on the library's clock, which only the test moves: retry at once.
            options.Retry.Delay = TimeSpan.Zero;
            options.Smtp.Timeout = TimeSpan.FromSeconds(20);
        });

        // The throttle, too, waits on the library's clock: hand every refusal back at once.
        builder.ConfigureSendLimits(options => options.MaxThrottleWait = TimeSpan.Zero);
        configure?.Invoke(builder);
        services.Replace(ServiceDescriptor.Singleton<INativeMailer>(Native));
        _provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        _provider.GetRequiredService<IStartupValidator>().Validate();
    }

    public FakeTimeProvider Time { get; } = new(Start);

    public MutableSettingsProvider Settings { get; } = new();

    public RecordingNativeMailer Native { get; } = new();

    public RecordingOutcomeListener Outcomes { get; } = new();

    public IEmailSender Sender => _provider.GetRequiredService<IEmailSender>();

    public IAccountHealthMonitor Health => _provider.GetRequiredService<IAccountHealthMonitor>();

    public IDeferredEmailQueue Queue => _provider.GetRequiredService<IDeferredEmailQueue>();

    public ISendQuotaStore Quotas => _provider.GetRequiredService<ISendQuotaStore>();

    public ISuppressionList Suppressions => _provider.GetRequiredService<ISuppressionList>();

    public DeferredEmailDispatcher Dispatcher => _provider.GetServices<IHostedService>().OfType<DeferredEmailDispatcher>().Single();

    public T Options<T>()
        where T : class => _provider.GetRequiredService<IOptions<T>>().Value;

    public static BusinessEmailSettings Business(string id, SmtpAccountSettings? smtp, bool onlyDirect = false, bool smtpEnabled = true) => new()
    {
        BusinessId = id,
        BusinessName = $"Business {id}",
        ReplyToAddress = $"office@{id}.example",
        Smtp = smtp,
        SmtpEnabled = smtpEnabled,
        OnlyUseSmtpForDirectEmails = onlyDirect,
    };

    /// <summary>The same account with other credentials, limits, security settings or provider, as the owner would save it.</summary>
    public static SmtpAccountSettings With(
        SmtpAccountSettings account,
        string? password = null,
        SendLimits? limits = null,
        SmtpSecurity? security = null,
        IReadOnlyList<X509Certificate2>? trustedAuthorities = null,
        string? provider = null) => new()
    {
        Host = account.Host,
        Port = account.Port,
        Security = security ?? account.Security,
        UserName = account.UserName,
        Password = password ?? account.Password,
        FromAddress = account.FromAddress,
        AllowAuthenticationWithoutTls = account.AllowAuthenticationWithoutTls,
        TrustedCertificateAuthorities = trustedAuthorities ?? account.TrustedCertificateAuthorities,
        Limits = limits ?? account.Limits,
        Provider = provider ?? account.Provider,
    };

    public static string MessageId(int number) => $"m{number:00000}@e2e.petsitter.test";

    public static MimeMessage Message(int number, EmailCategory category, string to = "client@clients.example")
    {
        var message = new MimeMessage { MessageId = MessageId(number), Subject = $"{category} #{number}" };
        message.From.Add(new MailboxAddress("Front desk", "desk@business.example"));
        message.To.Add(MailboxAddress.Parse(to));
        message.Body = new TextPart("plain") { Text = $"Message {number}: thanks for letting us look after Bello." };
        return message;
    }

    public Task<SendOutcome> SendAsync(string businessId, EmailCategory category, int number, string to = "client@clients.example") =>
        SendAsync(new OutgoingEmail(businessId, category, Message(number, category, to)));

    public async Task<SendOutcome> SendAsync(OutgoingEmail email)
    {
        using var guard = new CancellationTokenSource(Guard);
        return await Sender.SendAsync(email, guard.Token);
    }

    /// <summary>
    /// Phase 2 of the fleet runs: a day passes and the providers' day restarts, then the dispatcher works
    /// through the deferred queue, one idle hour of fake clock at a time when nothing is due, the providers'
    /// day restarting every 24 hours.
    /// </summary>
    /// <param name="startNewProviderDay">Restarts the emulated providers' daily quotas.</param>
    /// <param name="maxIdleHours">Fails the run if the queue is not empty within this many idle hours.</param>
    /// <returns>The idle hours it took, and how many messages were waiting at the first idle hour (they met a limit again).</returns>
    public async Task<(int IdleHours, int WaitingAgain)> DrainDeferredAsync(Action startNewProviderDay, int maxIdleHours)
    {
        startNewProviderDay();
        Time.Advance(TimeSpan.FromHours(25));
        var lastProviderDay = Time.GetUtcNow();
        var idleHours = 0;
        var waitingAgain = 0;
        while (await Queue.CountAsync(CancellationToken.None) is var waiting and > 0)
        {
            if (await DispatchDueAsync() > 0)
            {
                continue;
            }

            waitingAgain = idleHours == 0 ? waiting : waitingAgain;
            idleHours.Should().BeLessThan(maxIdleHours, "every deferred message is due within {0} idle hours", maxIdleHours);
            idleHours++;
            Time.Advance(TimeSpan.FromHours(1));
            if (Time.GetUtcNow() - lastProviderDay >= TimeSpan.FromHours(24))
            {
                startNewProviderDay();
                lastProviderDay = Time.GetUtcNow();
            }
        }

        return (idleHours, waitingAgain);
    }

    public async Task<int> DispatchDueAsync()
    {
        using var guard = new CancellationTokenSource(Guard);
        return await Dispatcher.DispatchDueAsync(guard.Token);
    }

    public ValueTask DisposeAsync() => _provider.DisposeAsync();
}
