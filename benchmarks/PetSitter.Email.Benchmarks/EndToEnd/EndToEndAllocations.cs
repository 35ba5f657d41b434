using System.Globalization;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MimeKit;

namespace PetSitter.Email.Benchmarks;

/// <summary>
/// Bytes allocated per message end to end (<c>--alloc-e2e</c>, issue 16): the end-to-end benchmark's senders over 1
/// and 4 connections, against the minimal <see cref="DelayedSmtpResponder"/> without delay instead of the scripted
/// server, so what the server allocates (the same few strings for every sender) does not drown the difference.
/// Allocations are exact and do not depend on load; the difference to raw MailKit is what the library adds.
/// </summary>
internal static class EndToEndAllocations
{
    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var at = Array.IndexOf(args, "--messages");
        var messages = at >= 0 ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : 4_000;
        var byType = args.Contains("--by-type");
        await using var responder = DelayedSmtpResponder.Start(TimeSpan.Zero);
        var account = new SmtpAccountSettings { Host = "127.0.0.1", Port = responder.Port, Security = SmtpSecurity.None, FromAddress = "owner@paws.example" };
        var business = new BusinessEmailSettings { BusinessId = "paws", BusinessName = "Paws & Claws", ReplyToAddress = "owner@paws.example", Smtp = account };

        output.WriteLine("| sender | connections | bytes per message | over raw MailKit |");
        output.WriteLine("|---|---:|---:|---:|");
        foreach (var connections in new[] { 1, 4 })
        {
            var services = new ServiceCollection();
            services.AddSingleton<IBusinessEmailSettingsProvider>(new FixedSettingsProvider(business));
            services.AddPetSitterEmail(options => options.Smtp.MaxConnectionsPerAccount = connections);
            services.Replace(ServiceDescriptor.Singleton<INativeMailer>(new RefusingNativeMailer()));
            await using var provider = services.BuildServiceProvider();
            var sender = provider.GetRequiredService<IEmailSender>();

            var clients = new SmtpClient[connections];
            for (var i = 0; i < connections; i++)
            {
                clients[i] = new SmtpClient();
                await clients[i].ConnectAsync(account.Host, account.Port, SecureSocketOptions.None);
            }

            var raw = Enumerable.Range(0, connections).Select(i => Own(BenchmarkMessages.Invoice(i), business)).ToArray();
            var plain = Enumerable.Range(0, connections).Select(i => Email(Own(BenchmarkMessages.Invoice(i), business))).ToArray();
            var ready = Enumerable.Range(0, connections).Select(i => Email(Ready(Own(BenchmarkMessages.Invoice(i), business)))).ToArray();
            var anonymous = Enumerable.Range(0, connections).Select(i => Email(Anonymous(BenchmarkMessages.Invoice(i)))).ToArray();

            var rows = new (string Name, Func<int, Task> Send)[]
            {
                ("MailKit SmtpClient kept connected", worker => clients[worker].SendAsync(raw[worker])),
                ("IEmailSender.SendAsync (pooled)", worker => SendAsync(sender, plain[worker])),
                ("IEmailSender.SendAsync (pooled), message with MIME-Version", worker => SendAsync(sender, ready[worker])),
                ("IEmailSender.SendAsync (pooled), From set by the library", worker => SendAsync(sender, anonymous[worker])),
            };

            long? baseline = null;
            foreach (var (name, send) in rows)
            {
                await MeasureAsync(connections, messages / 4, send);
                using var types = byType ? new AllocationSampler() : null;
                var bytes = await MeasureAsync(connections, messages, send);
                baseline ??= bytes;
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {connections} | {bytes:N0} B | {bytes - baseline.Value:+#,0;-#,0;0} B |"));
                types?.WriteTop(output, messages, 200);
            }

            foreach (var client in clients)
            {
                await client.DisconnectAsync(quit: true);
                client.Dispose();
            }
        }

        return 0;
    }

    private static async Task<long> MeasureAsync(int connections, int messages, Func<int, Task> send)
    {
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var workers = new Task[connections];
        for (var worker = 0; worker < connections; worker++)
        {
            var index = worker;
            workers[worker] = Task.Run(async () =>
            {
                for (var i = 0; i < messages / connections; i++)
                {
                    await send(index);
                }
            });
        }

        await Task.WhenAll(workers);
        return (GC.GetTotalAllocatedBytes(precise: true) - before) / (messages / connections * connections);
    }

    private static async Task SendAsync(IEmailSender sender, OutgoingEmail email)
    {
        var outcome = await sender.SendAsync(email);
        if (!outcome.IsSent || outcome.IsFallback)
        {
            throw new InvalidOperationException($"A send did not go through SMTP: {outcome.Status}, {outcome.Reason}");
        }
    }

    private static MimeMessage Own(MimeMessage message, BusinessEmailSettings business)
    {
        message.From.Clear();
        message.From.Add(new MailboxAddress(business.BusinessName, business.Smtp!.FromAddress));
        return message;
    }

    private static MimeMessage Ready(MimeMessage message)
    {
        message.MimeVersion = new Version(1, 0);
        return message;
    }

    private static MimeMessage Anonymous(MimeMessage message)
    {
        message.From.Clear();
        return message;
    }

    private static OutgoingEmail Email(MimeMessage message) => new("paws", EmailCategory.Invoice, message);

    private sealed class FixedSettingsProvider(BusinessEmailSettings settings) : IBusinessEmailSettingsProvider
    {
        public ValueTask<BusinessEmailSettings?> GetSettingsAsync(string businessId, CancellationToken cancellationToken) => new(settings);
    }

    private sealed class RefusingNativeMailer : INativeMailer
    {
        public Task<DeliveryReceipt> SendAsync(MimeMessage message, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("This harness sends only through SMTP.");
    }
}
