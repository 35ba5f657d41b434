using BenchmarkDotNet.Attributes;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MimeKit;
using PetSitter.Email.Testing;

namespace PetSitter.Email.Benchmarks;

/// <summary>
/// 2,000 messages per operation over loopback to the in-process <see cref="ScriptedSmtpServer"/> (no TLS),
/// spread over 1 or 4 connections: the library's sender with its pooled connections, raw MailKit clients kept
/// connected (the baseline), and a sender that connects, sends and disconnects for every message (what
/// FluentEmail's MailKit sender does). Two rows split the library's cost: raw MailKit with the transport's stage
/// tracker attached, and the transport alone without the sender's policy.
/// </summary>
/// <remarks>
/// The server runs in the benchmark's process: its parsing and recording of each message is part of every
/// row's time and allocations alike.
/// </remarks>
[MemoryDiagnoser]
public class SmtpThroughputBenchmarks
{
    public const int MessagesPerOperation = 2_000;

    private ScriptedSmtpServer server = null!;
    private SmtpAccountSettings account = null!;
    private ServiceProvider? provider;
    private IEmailSender sender = null!;
    private SmtpClient[] clients = [];
    private SmtpClient[] trackedClients = [];
    private ISmtpTransport transport = null!;
    private MimeMessage[] messages = [];
    private OutgoingEmail[] emails = [];
    private OutgoingEmail[] readyEmails = [];
    private OutgoingEmail[] anonymousEmails = [];
    private int operations;
    private bool library;

    [Params(1, 4)]
    public int Connections { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        server = await ScriptedSmtpServer.StartAsync(new ScriptedSmtpServerOptions { Security = ScriptedServerSecurity.None });
        account = server.CreateAccountSettings("owner@paws.example");

        // One message per worker: MailKit prepares the message it sends in place, so workers do not share one.
        // Each is from the account's mailbox, so all senders put the same bytes on the wire. Raw MailKit adds
        // MIME-Version to its message on the first send (the library never changes the caller's message, so it
        // sends a header copy that has it); the "ready" messages have it from the start, and the anonymous ones
        // have no From, which the library writes on its own copy.
        messages = [.. Enumerable.Range(0, Connections).Select(i => FromAccount(BenchmarkMessages.Invoice(i)))];
        emails = [.. messages.Select(Email)];
        readyEmails = [.. Enumerable.Range(0, Connections).Select(i => Email(Ready(FromAccount(BenchmarkMessages.Invoice(i)))))];
        anonymousEmails = [.. Enumerable.Range(0, Connections).Select(i => Email(Anonymous(BenchmarkMessages.Invoice(i))))];

        var business = new BusinessEmailSettings
        {
            BusinessId = "paws-and-claws",
            BusinessName = "Paws & Claws",
            ReplyToAddress = "owner@paws.example",
            Smtp = account,
        };
        var services = new ServiceCollection();
        services.AddSingleton<IBusinessEmailSettingsProvider>(new FixedSettingsProvider(business));
        services.AddPetSitterEmail(options => options.Smtp.MaxConnectionsPerAccount = Connections);
        services.Replace(ServiceDescriptor.Singleton<INativeMailer>(new RefusingNativeMailer()));
        provider = services.BuildServiceProvider();
        sender = provider.GetRequiredService<IEmailSender>();
        transport = provider.GetRequiredService<ISmtpTransport>();

        clients = new SmtpClient[Connections];
        trackedClients = new SmtpClient[Connections];
        for (var i = 0; i < Connections; i++)
        {
            clients[i] = new SmtpClient();
            await clients[i].ConnectAsync(account.Host, account.Port, SecureSocketOptions.None);
            trackedClients[i] = new SmtpClient(new SmtpStageTracker());
            await trackedClients[i].ConnectAsync(account.Host, account.Port, SecureSocketOptions.None);
        }
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        // The premise: every message of every operation reached the server, over no more connections than allowed.
        var arrived = server.Messages.Count;
        var expected = operations * MessagesPerOperation;
        var opened = server.ConnectionsOpened;
        foreach (var client in clients.Concat(trackedClients))
        {
            await client.DisconnectAsync(quit: true);
            client.Dispose();
        }

        if (provider is not null)
        {
            await provider.DisposeAsync();
        }

        await server.DisposeAsync();
        if (arrived != expected)
        {
            throw new InvalidOperationException($"{arrived} messages reached the server for {operations} operations of {MessagesPerOperation}: the figures are not those of delivered mail.");
        }

        var rawClients = clients.Length + trackedClients.Length;
        if (library && opened - rawClients > Connections)
        {
            throw new InvalidOperationException($"The library opened {opened - rawClients} connections where {Connections} were allowed.");
        }
    }

    [Benchmark(Baseline = true, Description = "MailKit SmtpClient kept connected")]
    public Task RawMailKit() => OnEachConnection(async (worker, count) =>
    {
        var client = clients[worker];
        for (var i = 0; i < count; i++)
        {
            await client.SendAsync(messages[worker]);
        }
    });

    /// <summary>Raw MailKit with the transport's stage tracker as its protocol logger: what following the conversation costs.</summary>
    [Benchmark(Description = "MailKit SmtpClient kept connected, stage tracker attached")]
    public Task TrackedMailKit() => OnEachConnection(async (worker, count) =>
    {
        var client = trackedClients[worker];
        for (var i = 0; i < count; i++)
        {
            await client.SendAsync(messages[worker]);
        }
    });

    /// <summary>The library's transport without the sender's policy: what the transport adds to MailKit, and the sender to it.</summary>
    [Benchmark(Description = "MailKitSmtpTransport.SendAsync (pooled, no sender)")]
    public Task TransportAlone()
    {
        library = true;
        return OnEachConnection(async (worker, count) =>
        {
            for (var i = 0; i < count; i++)
            {
                await transport.SendAsync(account, messages[worker], CancellationToken.None);
            }
        });
    }

    [Benchmark(Description = "IEmailSender.SendAsync (pooled)")]
    public Task PetSitterEmail() => SendThroughLibrary(emails);

    [Benchmark(Description = "IEmailSender.SendAsync (pooled), message with MIME-Version")]
    public Task PetSitterEmailReady() => SendThroughLibrary(readyEmails);

    [Benchmark(Description = "IEmailSender.SendAsync (pooled), From set by the library")]
    public Task PetSitterEmailSettingFrom() => SendThroughLibrary(anonymousEmails);

    [Benchmark(Description = "connect, send, disconnect per message")]
    public Task ConnectPerMessage() => OnEachConnection(async (worker, count) =>
    {
        for (var i = 0; i < count; i++)
        {
            using var client = new SmtpClient();
            await client.ConnectAsync(account.Host, account.Port, SecureSocketOptions.None);
            await client.SendAsync(messages[worker]);
            await client.DisconnectAsync(quit: true);
        }
    });

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

    private static OutgoingEmail Email(MimeMessage message) => new("paws-and-claws", EmailCategory.Invoice, message);

    private MimeMessage FromAccount(MimeMessage message)
    {
        message.From.Clear();
        message.From.Add(new MailboxAddress("Paws & Claws", account.FromAddress));
        return message;
    }

    private Task SendThroughLibrary(OutgoingEmail[] batch)
    {
        library = true;
        return OnEachConnection(async (worker, count) =>
        {
            for (var i = 0; i < count; i++)
            {
                var outcome = await sender.SendAsync(batch[worker]);
                if (!outcome.IsSent || outcome.IsFallback)
                {
                    throw new InvalidOperationException($"A send did not go through SMTP: {outcome.Status}, {outcome.Reason}");
                }
            }
        });
    }

    private Task OnEachConnection(Func<int, int, Task> work)
    {
        operations++;
        var workers = new Task[Connections];
        for (var worker = 0; worker < Connections; worker++)
        {
            var count = (MessagesPerOperation / Connections) + (worker < MessagesPerOperation % Connections ? 1 : 0);
            var index = worker;
            workers[worker] = Task.Run(() => work(index, count));
        }

        return Task.WhenAll(workers);
    }

    private sealed class FixedSettingsProvider(BusinessEmailSettings settings) : IBusinessEmailSettingsProvider
    {
        public ValueTask<BusinessEmailSettings?> GetSettingsAsync(string businessId, CancellationToken cancellationToken) => new(settings);
    }

    private sealed class RefusingNativeMailer : INativeMailer
    {
        public Task<DeliveryReceipt> SendAsync(MimeMessage message, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("The throughput benchmark sends only through SMTP.");
    }
}
