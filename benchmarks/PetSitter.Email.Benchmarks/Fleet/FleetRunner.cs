using System.Globalization;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MimeKit;

namespace PetSitter.Email.Benchmarks;

/// <summary>
/// The fleet benchmark (<c>--fleet</c>, issue 16): many businesses, each with its own SMTP account, spread over a few
/// loopback servers that answer every flight of commands after a fixed delay (a provider's round trip), every business
/// sending its messages one after the other and all businesses at once. It measures the wire on the real clock, so it
/// is a runner of its own rather than a BenchmarkDotNet class: messages per second against the wire's limit, the time
/// from <c>SendAsync</c> to its outcome, and the managed memory left after each round.
/// </summary>
/// <remarks>
/// The wire's limit: each business has one connection (the library's default cap is per account, and one business
/// sends one message at a time), and a message on a connection kept open costs two round trips with PIPELINING
/// (RFC 2920 lets MAIL FROM, RCPT TO and DATA go in one flight, then the content and its final reply), so the fleet can
/// send at most businesses / (2 × delay) messages per second once connected. MailKit, which the library and FluentEmail
/// both send with, waits for the replies to MAIL FROM and RCPT TO before it writes DATA: three round trips a message,
/// so no sender built on it passes businesses / (3 × delay); both limits are reported. Connecting per message (what
/// FluentEmail's MailKit sender does) adds the greeting, EHLO and QUIT: seven round trips a message (with its AUTH).
/// <para>Each sender runs warm-up rounds first, until a round compiles fewer than <see cref="QuietJit"/> methods: the
/// library's path is long (the sender, the channel, the transport) and tiered compilation keeps
/// recompiling it for ten rounds or so, which a service running for days pays once. Measured before that, the
/// library's CPU per message was twice its steady state.</para>
/// </remarks>
internal static class FleetRunner
{
    private const int RoundTripsPerMessage = 2;
    private const int MailKitRoundTripsPerMessage = 3;
    private const string FleetPassword = "fleet-responder-accepts-any";

    /// <summary>A round that compiles fewer methods than this is past the JIT's warm-up (tiering up included).</summary>
    private const int QuietJit = 20;

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var businesses = IntArgument(args, "--businesses", 1_000);
        var perBusiness = IntArgument(args, "--messages", 5);
        var servers = IntArgument(args, "--servers", 4);
        var delay = TimeSpan.FromMilliseconds(IntArgument(args, "--delay-ms", 20));
        var rounds = IntArgument(args, "--rounds", 3);
        var markdown = StringArgument(args, "--out");

        // --library-only: the library's rounds alone, for a profiler to see nothing else.
        var libraryOnly = args.Contains("--library-only");
        var maxWarmUp = IntArgument(args, "--max-warmup", 20);

        // Loopback connects of a thousand clients at once: the pool's minimum keeps the first round from measuring thread injection.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 64), Math.Max(io, 64));

        var responders = new DelayedSmtpResponder[servers];
        for (var i = 0; i < servers; i++)
        {
            responders[i] = DelayedSmtpResponder.Start(delay);
        }

        try
        {
            var fleet = Enumerable.Range(0, businesses).Select(i => Business(i, responders[i % servers])).ToArray();
            var wireLimit = businesses / (RoundTripsPerMessage * delay.TotalSeconds);
            var mailKitLimit = businesses / (MailKitRoundTripsPerMessage * delay.TotalSeconds);
            var report = new List<string>
            {
                string.Create(CultureInfo.InvariantCulture, $"Fleet: {businesses} businesses (one account each) over {servers} loopback responders, {perBusiness} messages per business per round, reply delay {delay.TotalMilliseconds:0} ms per flight, {Environment.ProcessorCount} cores."),
                string.Create(CultureInfo.InvariantCulture, $"Wire's limit (PIPELINING, DATA in the first flight): {businesses} connections x 1 / ({RoundTripsPerMessage} round trips x {delay.TotalMilliseconds:0} ms) = {wireLimit:0} messages/s."),
                string.Create(CultureInfo.InvariantCulture, $"MailKit's limit (DATA after the replies to MAIL FROM and RCPT TO): {businesses} / ({MailKitRoundTripsPerMessage} x {delay.TotalMilliseconds:0} ms) = {mailKitLimit:0} messages/s."),
                string.Empty,
                "| sender | round | messages/s | ratio to the wire's limit | ratio to MailKit's limit | p50 to outcome | p99 to outcome | CPU per message | thread-pool items per message | lock contentions per message | bytes allocated per message | methods compiled in the round | GC pause per message | managed memory after the round |",
                "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            };

            var sent = 0L;
            var warmUps = new List<string>();

            // Each sender first runs until the JIT is quiet (tiered compilation recompiles hot methods for a while; a
            // round that still compiles hundreds of methods measures the compiler, not the sender), then its measured rounds.
            async Task MeasureAsync(string sender, int measured, Func<int, int, Task> send)
            {
                var warmUp = 0;
                var compiled = 0L;
                do
                {
                    warmUp++;
                    var load = await ConcurrentLoad.MeasureAsync(businesses, perBusiness, send);
                    sent += (long)businesses * perBusiness;
                    compiled = load.MethodsCompiled;
                }
                while (compiled >= QuietJit && warmUp < maxWarmUp);

                warmUps.Add(string.Create(CultureInfo.InvariantCulture, $"- {sender}: {warmUp} warm-up rounds, the last compiling {compiled} methods{(compiled >= QuietJit ? " (the cap: the JIT was not quiet yet)" : string.Empty)}."));
                for (var round = 1; round <= measured; round++)
                {
                    var result = await RunRoundAsync(businesses, perBusiness, send);
                    sent += (long)businesses * perBusiness;
                    report.Add(Row(sender, round, result, wireLimit, mailKitLimit));
                }
            }

            await using (var library = LibraryFleet.Create(fleet))
            {
                await MeasureAsync("IEmailSender.SendAsync (pooled)", rounds, (business, message) => library.SendAsync(business, message));
            }

            if (args.Contains("--transport") && !libraryOnly)
            {
                // The library's transport alone (pooled MailKit, no sender policy), to tell the transport's share from the sender's,
                // and raw MailKit kept connected.
                await using var transport = new MailKitSmtpTransport(
                    Microsoft.Extensions.Options.Options.Create(new SmtpTransportOptions()), TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<MailKitSmtpTransport>.Instance);
                var messages = fleet.Select(b => Message(b, 0)).ToArray();
                await MeasureAsync("MailKitSmtpTransport.SendAsync (pooled, no sender)", rounds, (business, _) => transport.SendAsync(fleet[business].Smtp!, messages[business], CancellationToken.None));

                // Raw MailKit kept connected, one client per business: what the pooled library could reach at best.
                var clients = new SmtpClient[businesses];
                for (var i = 0; i < businesses; i++)
                {
                    clients[i] = new SmtpClient();
                    await clients[i].ConnectAsync(fleet[i].Smtp!.Host, fleet[i].Smtp!.Port, SecureSocketOptions.None);
                    await clients[i].AuthenticateAsync(fleet[i].Smtp!.UserName!, FleetPassword);
                }

                await MeasureAsync("MailKit SmtpClient kept connected", rounds, (business, _) => clients[business].SendAsync(messages[business]));
                foreach (var client in clients)
                {
                    await client.DisconnectAsync(quit: true);
                    client.Dispose();
                }
            }

            if (!libraryOnly)
            {
                await MeasureAsync("connect, send, disconnect per message", Math.Min(rounds, 2), (business, message) => ConnectPerMessageAsync(fleet[business], message));
            }

            report.Add(string.Empty);
            report.Add(string.Create(CultureInfo.InvariantCulture, $"Warm-up (not in the table): rounds until one compiles fewer than {QuietJit} methods, at most {maxWarmUp}."));
            report.AddRange(warmUps);

            var expected = sent;
            var arrived = responders.Sum(static r => r.Messages);
            if (arrived != expected)
            {
                throw new InvalidOperationException($"{arrived} messages reached the responders where {expected} were sent: the figures are not those of delivered mail.");
            }

            foreach (var line in report)
            {
                output.WriteLine(line);
            }

            if (markdown is not null)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(markdown))!);
                await File.WriteAllLinesAsync(markdown, report);
            }

            return 0;
        }
        finally
        {
            foreach (var responder in responders)
            {
                await responder.DisposeAsync();
            }
        }
    }

    private static async Task<RoundResult> RunRoundAsync(int businesses, int perBusiness, Func<int, int, Task> send)
    {
        var load = await ConcurrentLoad.MeasureAsync(businesses, perBusiness, send);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return new RoundResult(load, GC.GetTotalMemory(forceFullCollection: true));
    }

    private static string Row(string sender, int round, RoundResult result, double wireLimit, double mailKitLimit) => string.Create(
        CultureInfo.InvariantCulture,
        $"| {sender} | {round} | {result.Load.PerSecond:0} | {result.Load.PerSecond / wireLimit:0.00} | {result.Load.PerSecond / mailKitLimit:0.00} | {result.Load.P50.TotalMilliseconds:0.0} ms | {result.Load.P99.TotalMilliseconds:0.0} ms | {result.Load.CpuPerOperation.TotalMicroseconds:0} us | {result.Load.WorkItemsPerOperation:0.0} | {result.Load.ContentionsPerOperation:0.00} | {result.Load.BytesPerOperation:0} B | {result.Load.MethodsCompiled} | {result.Load.GcPausePerOperation.TotalMicroseconds:0.0} us | {result.ManagedBytes / (1024.0 * 1024.0):0.0} MB |");

    private static async Task ConnectPerMessageAsync(BusinessEmailSettings business, int number)
    {
        var account = business.Smtp!;
        using var client = new SmtpClient();
        await client.ConnectAsync(account.Host, account.Port, SecureSocketOptions.None);
        await client.AuthenticateAsync(account.UserName!, FleetPassword);
        await client.SendAsync(Message(business, number));
        await client.DisconnectAsync(quit: true);
    }

    private static MimeMessage Message(BusinessEmailSettings business, int number)
    {
        var message = BenchmarkMessages.Invoice(number);
        message.From.Clear();
        message.From.Add(new MailboxAddress(business.BusinessName, business.Smtp!.FromAddress));
        return message;
    }

    private static BusinessEmailSettings Business(int index, DelayedSmtpResponder responder)
    {
        var id = string.Create(CultureInfo.InvariantCulture, $"business-{index}");
        var address = string.Create(CultureInfo.InvariantCulture, $"owner{index}@business{index}.example");
        return new BusinessEmailSettings
        {
            BusinessId = id,
            BusinessName = string.Create(CultureInfo.InvariantCulture, $"Sitters {index}"),
            ReplyToAddress = address,
            // Its own user name: the library pools connections per mailbox (host, port, user name), so accounts without
            // one on the same server would share one pool of three connections, as one relay identity.
            Smtp = new SmtpAccountSettings
            {
                Host = "127.0.0.1",
                Port = responder.Port,
                Security = SmtpSecurity.None,
                AllowAuthenticationWithoutTls = true,
                UserName = address,
                Password = FleetPassword,
                FromAddress = address,
            },
        };
    }

    private static int IntArgument(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private static string? StringArgument(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }

    private readonly record struct RoundResult(LoadResult Load, long ManagedBytes);

    /// <summary>The library as an app hosts it: one service provider for the whole fleet, settings looked up per business.</summary>
    private sealed class LibraryFleet : IAsyncDisposable
    {
        private readonly ServiceProvider _provider;
        private readonly IEmailSender _sender;
        private readonly OutgoingEmail[][] _emails;

        private LibraryFleet(ServiceProvider provider, OutgoingEmail[][] emails)
        {
            _provider = provider;
            _sender = provider.GetRequiredService<IEmailSender>();
            _emails = emails;
        }

        public static LibraryFleet Create(BusinessEmailSettings[] fleet)
        {
            var services = new ServiceCollection();
            services.AddSingleton<IBusinessEmailSettingsProvider>(new FleetSettings(fleet.ToDictionary(static b => b.BusinessId, StringComparer.Ordinal)));
            services.AddPetSitterEmail();
            services.Replace(ServiceDescriptor.Singleton<INativeMailer>(new RefusingNativeMailer()));

            // A message per business and number, built before the clock starts, as an app's template would have them.
            var emails = fleet.Select(b => Enumerable.Range(0, 4).Select(n => new OutgoingEmail(b.BusinessId, EmailCategory.Invoice, Message(b, n))).ToArray()).ToArray();
            return new LibraryFleet(services.BuildServiceProvider(), emails);
        }

        public async Task SendAsync(int business, int number)
        {
            var row = _emails[business];
            var outcome = await _sender.SendAsync(row[number % row.Length]);
            if (!outcome.IsSent || outcome.IsFallback)
            {
                throw new InvalidOperationException($"A fleet send did not go through SMTP: {outcome.Status}, {outcome.Reason}");
            }
        }

        public ValueTask DisposeAsync() => _provider.DisposeAsync();
    }

    private sealed class FleetSettings(Dictionary<string, BusinessEmailSettings> fleet) : IBusinessEmailSettingsProvider
    {
        public ValueTask<BusinessEmailSettings?> GetSettingsAsync(string businessId, CancellationToken cancellationToken) =>
            new(fleet.GetValueOrDefault(businessId));
    }

    private sealed class RefusingNativeMailer : INativeMailer
    {
        public Task<DeliveryReceipt> SendAsync(MimeMessage message, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("The fleet benchmark sends only through SMTP.");
    }
}
