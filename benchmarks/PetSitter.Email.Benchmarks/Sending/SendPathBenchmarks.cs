using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MimeKit;

namespace PetSitter.Email.Benchmarks;

/// <summary>
/// The library's own cost per send, without I/O: <see cref="IEmailSender.SendAsync"/> built by
/// <c>AddPetSitterEmail()</c> over a transport that completes at once, against calling that transport
/// directly. The difference is what the library adds: settings, routing, breaker, send limits, the attempt timeout
/// (Polly's retry pipeline is not met: it takes over only after a first attempt failed in a way worth retrying).
/// </summary>
[MemoryDiagnoser]
public class SendPathBenchmarks
{
    private ServiceProvider? provider;
    private IEmailSender sender = null!;
    private InstantTransport transport = null!;
    private CountingNativeMailer native = null!;
    private SmtpAccountSettings account = null!;
    private MimeMessage message = null!;
    private OutgoingEmail email = null!;
    private OutgoingEmail anonymousEmail = null!;
    private MeterListener? waitListener;
    private long throttleWaits;

    [GlobalSetup]
    public void Setup()
    {
        account = BenchmarkBusiness.Account();
        var business = BenchmarkBusiness.Settings(account);

        transport = new InstantTransport();
        native = new CountingNativeMailer();
        var services = new ServiceCollection();
        services.AddSingleton<IBusinessEmailSettingsProvider>(new FixedSettingsProvider(business));
        services.AddSingleton<ISmtpTransport>(transport);

        // Millions of sends a second would fill the per-second window's 40 ms buckets (255 each) on the system
        // clock and measure the throttle's waits instead of the send path, so the quota store's clock moves
        // 1 ms per read, as in the limiter benchmark (a real clock read, ClockBenchmarks, comes on top in
        // production). Everything else keeps the system clock: the attempt timeout reuses its cancellation sources
        // only on TimeProvider.System.
        services.AddSingleton<ISendQuotaStore>(new InMemorySendQuotaStore(new SteppingTimeProvider(TimeSpan.FromMilliseconds(1))));
        services.AddPetSitterEmail();
        services.Replace(ServiceDescriptor.Singleton<INativeMailer>(native));
        provider = services.BuildServiceProvider();
        sender = provider.GetRequiredService<IEmailSender>();

        // Only the throttle-wait counter is listened to, so the other instruments stay as quiet as in an app
        // without telemetry; a wait would mean the send path was not what was measured.
        waitListener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == PetSitterEmailTelemetry.MeterName && instrument.Name == "petsitter.email.throttle.waits")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        waitListener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref throttleWaits, value));
        waitListener.Start();

        // Ready for SMTP: From is the business's mailbox (as the Quick start's apps write it, or a template
        // fills it in) and Reply-To is set. The second message has neither, so the library must set them on a copy.
        message = BenchmarkMessages.Invoice(0);
        message.ReplyTo.Add(new MailboxAddress("Paws & Claws", "hello@pawsandclaws.example"));
        email = new OutgoingEmail(business.BusinessId, EmailCategory.Invoice, message);
        var anonymous = BenchmarkMessages.Invoice(1);
        anonymous.From.Clear();
        anonymousEmail = new OutgoingEmail(business.BusinessId, EmailCategory.Invoice, anonymous);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        provider?.Dispose();
        waitListener?.Dispose();
        if (Interlocked.Read(ref throttleWaits) > 0)
        {
            throw new InvalidOperationException($"{throttleWaits} sends waited for a send limit: the send path was not what was measured.");
        }

        if (native.Sent > 0)
        {
            throw new InvalidOperationException($"{native.Sent} sends fell back to the native channel: the SMTP path was not the one measured.");
        }
    }

    [Benchmark(Baseline = true, Description = "ISmtpTransport.SendAsync (direct)")]
    public Task<DeliveryReceipt> Transport() => transport.SendAsync(account, message, CancellationToken.None);

    [Benchmark(Description = "IEmailSender.SendAsync")]
    public Task<SendOutcome> Sender() => sender.SendAsync(email);

    [Benchmark(Description = "IEmailSender.SendAsync, From set by the library")]
    public Task<SendOutcome> SenderSettingFrom() => sender.SendAsync(anonymousEmail);

    private sealed class InstantTransport : ISmtpTransport
    {
        private readonly Task<DeliveryReceipt> receipt = Task.FromResult(new DeliveryReceipt("smtp.pawsandclaws.example:587", "250 2.0.0 OK"));

        public Task<DeliveryReceipt> SendAsync(SmtpAccountSettings account, MimeMessage message, CancellationToken cancellationToken) => receipt;
    }

    private sealed class CountingNativeMailer : INativeMailer
    {
        private readonly Task<DeliveryReceipt> receipt = Task.FromResult(new DeliveryReceipt("native://benchmark"));

        public int Sent { get; private set; }

        public Task<DeliveryReceipt> SendAsync(MimeMessage message, CancellationToken cancellationToken)
        {
            Sent++;
            return receipt;
        }
    }

    private sealed class FixedSettingsProvider(BusinessEmailSettings settings) : IBusinessEmailSettingsProvider
    {
        public ValueTask<BusinessEmailSettings?> GetSettingsAsync(string businessId, CancellationToken cancellationToken) => new(settings);
    }
}
