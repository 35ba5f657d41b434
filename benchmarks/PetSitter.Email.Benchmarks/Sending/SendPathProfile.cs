using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using MimeKit.Utils;

namespace PetSitter.Email.Benchmarks;

/// <summary>
/// A rough profile of the send path (<c>--profile-send</c>): time and bytes per call of each step the sender
/// takes, measured one step at a time in a loop. Only to find where the cost is; the benchmarks give the figures.
/// </summary>
internal static class SendPathProfile
{
    private const int Iterations = 20_000;

    public static int Run(TextWriter output)
    {
        var account = BenchmarkBusiness.Account();
        var business = BenchmarkBusiness.Settings(account);
        var message = BenchmarkMessages.Invoice(0);
        output.WriteLine($"message has Message-ID: {message.MessageId is not null}");

        Step(output, "new MimeMessage()", () => new MimeMessage());
        Step(output, "MimeUtils.GenerateMessageId()", () => MimeUtils.GenerateMessageId());
        Step(output, "DateTimeOffset.Now", () => DateTimeOffset.Now);
        Step(output, "MessageCopy.ShallowWithHeaders", () => MessageCopy.ShallowWithHeaders(message));
        Step(output, "new MimeMessage(cloned headers)", () => new MimeMessage(message.Headers.Select(static h => h.Clone())) { Body = message.Body });
        var bare = new MimeMessage((IEnumerable<Header>)[]);
        bare.Headers.Clear();
        bare.To.Add(MailboxAddress.Parse("x@example.com"));
        output.WriteLine("headers of new MimeMessage(headers of a message with only To): " + string.Join(", ", new MimeMessage(bare.Headers.Select(static h => h.Clone())).Headers.Select(static h => h.Field)));
        Step(output, "business.ValidateBusiness()", () => business.ValidateBusiness());
        Step(output, "account.Validate(\"Smtp.\")", () => account.Validate("Smtp."));
        Step(output, "account.CredentialFingerprint()", () => account.CredentialFingerprint());
        Step(output, "SmtpChannel.AccountKey(account)", () => SmtpChannel.AccountKey(account));
        Step(output, "account.EffectiveLimits()", () => account.EffectiveLimits());
        Step(output, "recipients counted (LINQ)", () => message.To.Mailboxes.Count() + message.Cc.Mailboxes.Count() + message.Bcc.Mailboxes.Count());
        Step(output, "new MailboxAddress(name, address)", () => new MailboxAddress(business.BusinessName, account.FromAddress));
        Step(output, "MessageRecipients.Count", () => MessageRecipients.Count(message));

        var services = new ServiceCollection();
        services.AddSingleton<IBusinessEmailSettingsProvider>(new FixedSettingsProvider(business));
        services.AddSingleton<ISmtpTransport>(new InstantTransport());

        // As in SendPathBenchmarks: a stepping clock for the quota store only, so the loop never fills a per-second bucket.
        services.AddSingleton<ISendQuotaStore>(new InMemorySendQuotaStore(new SteppingTimeProvider(TimeSpan.FromMilliseconds(1))));
        services.AddPetSitterEmail();
        using var provider = services.BuildServiceProvider();
        var sender = provider.GetRequiredService<IEmailSender>();
        var retry = provider.GetRequiredService<SmtpRetryPipeline>().Pipeline;
        var throttle = provider.GetRequiredService<SendThrottle>();
        var health = provider.GetRequiredService<AccountHealthTracker>();
        var transport = provider.GetRequiredService<ISmtpTransport>();
        var email = new OutgoingEmail(business.BusinessId, EmailCategory.Invoice, message);
        var key = account.LimitKey();
        var fingerprint = account.CredentialFingerprint();
        var limits = account.EffectiveLimits();

        Step(output, "IEmailSender.SendAsync (whole)", () => sender.SendAsync(email).GetAwaiter().GetResult());

        // Beside it, as SendPathBenchmarks reports it: a message without From, which the library sets on a header copy.
        var anonymous = BenchmarkMessages.Invoice(1);
        anonymous.From.Clear();
        var anonymousEmail = new OutgoingEmail(business.BusinessId, EmailCategory.Invoice, anonymous);
        Step(output, "IEmailSender.SendAsync, From set", () => sender.SendAsync(anonymousEmail).GetAwaiter().GetResult());
        Step(output, "TimeProvider.System.GetUtcNow()", () => TimeProvider.System.GetUtcNow());
        Step(output, "AccountHealthTracker.Check", () => health.Check(business.BusinessId, fingerprint, TimeProvider.System.GetUtcNow()));
        Step(output, "AccountHealthTracker.RecordSuccess", () =>
        {
            health.RecordSuccess(business.BusinessId, fingerprint, TimeProvider.System.GetUtcNow());
            return 0;
        });
        Step(output, "SendThrottle.AcquireAsync", () => Completed(throttle.AcquireAsync(key, limits, 1, CancellationToken.None)));
        Step(output, "Polly retry pipeline around the transport", () => Completed(retry.ExecuteAsync(
            static (state, token) => new ValueTask<DeliveryReceipt>(state.transport.SendAsync(state.account, state.message, token)),
            (transport, account, message),
            CancellationToken.None)));
        Step(output, "EmailRouter.Route", () => EmailRouter.Route(business, EmailCategory.Invoice));
        return 0;
    }

    private sealed class InstantTransport : ISmtpTransport
    {
        private readonly Task<DeliveryReceipt> receipt = Task.FromResult(new DeliveryReceipt("smtp.pawsandclaws.example:587", "250 2.0.0 OK"));

        public Task<DeliveryReceipt> SendAsync(SmtpAccountSettings account, MimeMessage message, CancellationToken cancellationToken) => receipt;
    }

    private sealed class FixedSettingsProvider(BusinessEmailSettings settings) : IBusinessEmailSettingsProvider
    {
        public ValueTask<BusinessEmailSettings?> GetSettingsAsync(string businessId, CancellationToken cancellationToken) => new(settings);
    }

    private static T Completed<T>(ValueTask<T> pending) =>
        pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();

    private static void Step<T>(TextWriter output, string name, Func<T> step)
    {
        for (var i = 0; i < 2_000; i++)
        {
            GC.KeepAlive(step());
        }

        var bytes = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < Iterations; i++)
        {
            GC.KeepAlive(step());
        }

        watch.Stop();
        bytes = GC.GetAllocatedBytesForCurrentThread() - bytes;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-40} {watch.Elapsed.TotalNanoseconds / Iterations,10:F0} ns {bytes / Iterations,8} B"));
    }
}
