using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace PetSitter.Email.AspNetCore.Tests.Unsubscribe;

/// <summary>
/// An app as a user writes it: <c>AddPetSitterEmail().UseOneClickUnsubscribe(...)</c> and
/// <c>MapPetSitterEmailUnsubscribe()</c>, served by Kestrel on a loopback port. Its public URL is
/// <see cref="PublicEndpoint"/> (as behind a reverse proxy); requests go to the same path and query on loopback.
/// </summary>
internal sealed class UnsubscribeApp : IAsyncDisposable
{
    public static readonly Uri PublicEndpoint = new("https://app.example/email/unsubscribe");

    private readonly WebApplication _app;

    private UnsubscribeApp(WebApplication app, FakeTimeProvider time, Uri local)
    {
        _app = app;
        Time = time;
        Client = new HttpClient { BaseAddress = local };
    }

    /// <summary>
    /// The library's clock. It starts at the machine's time because the Data Protection time-limited protector also
    /// checks expiry on the machine's clock; only the library's clock is moved, never slept on.
    /// </summary>
    public FakeTimeProvider Time { get; }

    public HttpClient Client { get; }

    public FakeLogCollector Logs => _app.Services.GetRequiredService<FakeLogCollector>();

    public ISuppressionList List => _app.Services.GetRequiredService<ISuppressionList>();

    public IUnsubscribeLinkFactory Links => _app.Services.GetRequiredService<IUnsubscribeLinkFactory>();

    public IServiceProvider Services => _app.Services;

    public IEmailSender Sender => _app.Services.GetRequiredService<IEmailSender>();

    public static async Task<UnsubscribeApp> StartAsync(FakeTimeProvider? time = null, Action<IServiceCollection>? configure = null, SmtpAccountSettings? smtp = null)
    {
        time ??= new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders().AddFakeLogging().SetMinimumLevel(LogLevel.Debug);
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddSingleton<IBusinessEmailSettingsProvider>(new Businesses(smtp));

        // Keys in memory, new for each app: a second app is "someone else" with another key ring.
        builder.Services.AddDataProtection().UseEphemeralDataProtectionProvider();
        builder.Services.AddPetSitterEmail().UseOneClickUnsubscribe(options => options.EndpointUrl = PublicEndpoint);
        configure?.Invoke(builder.Services);

        var app = builder.Build();
        app.MapPetSitterEmailUnsubscribe();
        await app.StartAsync();
        return new UnsubscribeApp(app, time, new Uri(app.Urls.Single()));
    }

    /// <summary>The local request URI of a link the library made (same path and query as the public one).</summary>
    public static string Local(Uri link) => link.PathAndQuery;

    public Task<HttpResponseMessage> PostOneClickAsync(Uri link, string value = "One-Click") =>
        Client.PostAsync(Local(link), new FormUrlEncodedContent([new("List-Unsubscribe", value)]));

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
