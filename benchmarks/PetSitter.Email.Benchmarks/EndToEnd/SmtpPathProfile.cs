using System.Diagnostics;
using System.Globalization;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MimeKit;
using PetSitter.Email.Testing;

namespace PetSitter.Email.Benchmarks;

/// <summary>
/// A rough profile of one connection's send path over loopback (<c>--profile-smtp</c>): raw MailKit, the
/// library's transport alone, the whole sender, and the message copy the transport makes, each timed over the
/// same number of messages. Only to find where the cost is; the benchmarks give the figures.
/// </summary>
internal static class SmtpPathProfile
{
    private const int Messages = 1_000;

    public static async Task<int> RunAsync(TextWriter output)
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new ScriptedSmtpServerOptions { Security = ScriptedServerSecurity.None });
        var account = server.CreateAccountSettings("owner@paws.example");
        var message = BenchmarkMessages.Invoice(0);

        using var client = new SmtpClient();
        await client.ConnectAsync(account.Host, account.Port, SecureSocketOptions.None);
        await TimeAsync(output, "raw MailKit SmtpClient.SendAsync", () => client.SendAsync(message));

        var sender0 = new MailboxAddress(string.Empty, account.FromAddress);
        MailboxAddress[] recipients = [.. message.To.Mailboxes];
        var copied = MessageCopy.Deep(message, CancellationToken.None);
        await TimeAsync(output, "raw MailKit, explicit envelope", () => client.SendAsync(copied, sender0, recipients));

        var connection = await SmtpConnection.OpenAsync(account, TimeSpan.FromSeconds(30), TimeProvider.System, NullLogger.Instance, CancellationToken.None);
        await TimeAsync(output, "SmtpConnection.SendAsync (tracker)", () => connection.SendAsync(copied, sender0, recipients, CancellationToken.None).AsTask());
        await connection.CloseAsync(SmtpConnectionCloseReason.Idle);

        using var logged = new SmtpClient(new SmtpStageTracker());
        await logged.ConnectAsync(account.Host, account.Port, SecureSocketOptions.None);
        await TimeAsync(output, "raw MailKit + SmtpStageTracker logger", () => logged.SendAsync(message));

        await using var transport = new MailKitSmtpTransport(Options.Create(new SmtpTransportOptions { MaxConnectionsPerAccount = 1 }), TimeProvider.System, NullLogger<MailKitSmtpTransport>.Instance);
        await TimeAsync(output, "MailKitSmtpTransport.SendAsync", () => transport.SendAsync(account, message, CancellationToken.None));

        var business = new BusinessEmailSettings { BusinessId = "paws", BusinessName = "Paws & Claws", ReplyToAddress = "owner@paws.example", Smtp = account };
        var services = new ServiceCollection();
        services.AddSingleton<IBusinessEmailSettingsProvider>(new FixedSettingsProvider(business));
        services.AddPetSitterEmail(options => options.Smtp.MaxConnectionsPerAccount = 1);
        await using var provider = services.BuildServiceProvider();
        var sender = provider.GetRequiredService<IEmailSender>();
        var email = new OutgoingEmail("paws", EmailCategory.Invoice, message);
        await TimeAsync(output, "IEmailSender.SendAsync, From rewritten", () => sender.SendAsync(email));

        // From the account's own mailbox, as the end-to-end benchmark sends: nothing for the sender to change.
        var own = BenchmarkMessages.Invoice(1);
        own.From.Clear();
        own.From.Add(new MailboxAddress(business.BusinessName, account.FromAddress));
        var ownEmail = new OutgoingEmail("paws", EmailCategory.Invoice, own);
        await TimeAsync(output, "IEmailSender.SendAsync, From as is", () => sender.SendAsync(ownEmail));
        await TimeAsync(output, "MailKitSmtpTransport (no MIME-Version)", () => transport.SendAsync(account, own, CancellationToken.None));

        await TimeAsync(output, "MessageCopy.Deep (no I/O)", () => Task.FromResult(MessageCopy.Deep(message, CancellationToken.None)));
        return 0;
    }

    private static async Task TimeAsync(TextWriter output, string name, Func<Task> send)
    {
        for (var i = 0; i < 200; i++)
        {
            await send();
        }

        var bytes = GC.GetTotalAllocatedBytes(precise: true);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < Messages; i++)
        {
            await send();
        }

        watch.Stop();
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        bytes = GC.GetTotalAllocatedBytes(precise: true) - bytes;
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{name,-36} {watch.Elapsed.TotalMicroseconds / Messages,8:F1} us wall {cpu.TotalMicroseconds / Messages,8:F1} us CPU {bytes / Messages,8} B (process-wide)"));
    }

    private sealed class FixedSettingsProvider(BusinessEmailSettings settings) : IBusinessEmailSettingsProvider
    {
        public ValueTask<BusinessEmailSettings?> GetSettingsAsync(string businessId, CancellationToken cancellationToken) => new(settings);
    }
}
