using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MimeKit;

namespace PetSitter.Email.Benchmarks;

/// <summary>
/// The library's own cost per send, without I/O: <see cref="IEmailSender.SendAsync"/> built by
/// <c>AddPetSitterEmail()</c> over a transport that completes at once, against calling that transport
/// directly. The difference is what the library adds: settings, routing, breaker, send limits, Polly.
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
        services.AddPetSitterEmail();
        services.Replace(ServiceDescriptor.Singleton<INativeMailer>(native));
        provider = services.BuildServiceProvider();
        sender = provider.GetRequiredService<IEmailSender>();

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
