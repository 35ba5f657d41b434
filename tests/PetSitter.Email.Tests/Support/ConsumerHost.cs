using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using PetSitter.Email.Testing;
using PetSitter.Email.Tests.EndToEnd;
using PetSitter.Email.Tests.Secrets;

namespace PetSitter.Email.Tests.Support;

/// <summary>
/// The library composed the way a consumer's test composes it, from the public API only: AddPetSitterEmail
/// with the Testing package's UseTestClock, the app's settings store and outcome listener, a recording native
/// mailer, every service resolved from the container.
/// </summary>
internal sealed class ConsumerHost : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 27, 9, 0, 0, TimeSpan.Zero);

    /// <summary>Long enough for a loaded 2-core machine, short enough that a hang fails the test instead of the run.</summary>
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    private readonly ServiceProvider _provider;

    public ConsumerHost(Action<IPetSitterEmailBuilder>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddTestLogging();
        services.AddSingleton<IBusinessEmailSettingsProvider>(Settings);
        services.AddSingleton<IEmailOutcomeListener>(Outcomes);
        services.AddSingleton<INativeMailer>(Native);
        var builder = services.AddPetSitterEmail().UseTestClock(Clock);
        configure?.Invoke(builder);
        _provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public FakeTimeProvider Clock { get; } = new(Start);

    public MutableSettingsProvider Settings { get; } = new();

    public RecordingNativeMailer Native { get; } = new();

    public RecordingOutcomeListener Outcomes { get; } = new();

    public IDeferredEmailDispatcher Dispatcher => Get<IDeferredEmailDispatcher>();

    public T Get<T>()
        where T : notnull => _provider.GetRequiredService<T>();

    /// <summary>The server's account as the owner saves it with a provider's preset, and optionally own limits.</summary>
    public static SmtpAccountSettings Account(ScriptedSmtpServer server, string? provider = null, SendLimits? limits = null)
    {
        var account = server.CreateAccountSettings("owner@paws.example", "owner@paws.example", TestSecrets.AppPassword);
        return new SmtpAccountSettings
        {
            Host = account.Host,
            Port = account.Port,
            Security = account.Security,
            UserName = account.UserName,
            Password = account.Password,
            FromAddress = account.FromAddress,
            AllowAuthenticationWithoutTls = account.AllowAuthenticationWithoutTls,
            TrustedCertificateAuthorities = account.TrustedCertificateAuthorities,
            Provider = provider,
            Limits = limits,
        };
    }

    public void Business(SmtpAccountSettings account, string id = "paws") => Settings.Set(EndToEndHost.Business(id, account));

    public Task<SendOutcome> SendAsync(EmailCategory category, int number, string businessId = "paws") =>
        SendAsync(new OutgoingEmail(businessId, category, EndToEndHost.Message(number, category)));

    public async Task<SendOutcome> SendAsync(OutgoingEmail email)
    {
        using var guard = new CancellationTokenSource(Guard);
        return await Get<IEmailSender>().SendAsync(email, guard.Token);
    }

    public async Task<DeferredDispatchResult> DispatchDueAsync()
    {
        using var guard = new CancellationTokenSource(Guard);
        return await Dispatcher.DispatchDueAsync(guard.Token);
    }

    public static MimeMessage WithRecipients(MimeMessage message, int count)
    {
        message.To.Clear();
        for (var i = 0; i < count; i++)
        {
            message.To.Add(new MailboxAddress($"Client {i}", $"client{i}@clients.example"));
        }

        return message;
    }

    public ValueTask DisposeAsync() => _provider.DisposeAsync();
}
