using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using PetSitter.Email.Testing;
using PetSitter.Email.Tests.EndToEnd;
using PetSitter.Email.Tests.Faults;

namespace PetSitter.Email.Tests.Soak;

/// <summary>
/// Two hundred businesses over six scripted servers, twenty thousand messages, and the faults of the
/// fault tests scattered over them from one seed: connections dropped at every stage, 421 storms,
/// connections lost after the end of DATA, a server restarted mid-run, out-of-date passwords, provider
/// quotas and refused addresses. Faults below the protocol come from a <see cref="ChaosSmtpTransport"/>.
/// The world counts every fault it injected so the test can report them and check the library's
/// outcomes against what the servers received.
/// </summary>
internal sealed class SoakWorld : IAsyncDisposable
{
    public const string OldPassword = "old-password";
    public const string NewPassword = "new-app-password";

    /// <summary>Every this many MAIL FROM commands a server starts a storm of <see cref="StormLength"/> 421 replies.</summary>
    public const int StormEvery = 1_000;

    public const int StormLength = 30;

    /// <summary>The chance that a new connection is dropped at each of its opening stages (greeting, EHLO, STARTTLS, AUTH).</summary>
    public const double OpeningDropRate = 0.02;

    /// <summary>The chance that a MAIL FROM, RCPT TO or DATA command is met with a dropped connection.</summary>
    public const double CommandDropRate = 0.002;

    /// <summary>The chance that a message's connection is lost after the end of its DATA, the server keeping it.</summary>
    public const double AfterDataDropRate = 0.001;

    public const int RestartedServer = 5;

    private static readonly SmtpReply Busy = new(421, "4.3.2 Service not available, closing transmission channel");
    private static readonly SmtpReply NoSuchUser = new(550, "5.1.1 The email account that you tried to reach does not exist.");

    private readonly int _seed;
    private readonly Dictionary<string, SoakBusiness> _byUser = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, bool> _wrongPasswordUsers = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, int> _deliveredToday = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, int> _failedSignIns = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, int> _faults = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _droppedAfterData = new(StringComparer.Ordinal);
    private readonly List<ScriptedSmtpServer> _instances = [];
    private readonly ScriptedSmtpServer[] _servers;
    private readonly ServerState[] _states;

    private SoakWorld(int seed, ScriptedSmtpServer[] servers, IReadOnlyList<SoakBusiness> businesses, IReadOnlyList<SoakMessage> messages, IReadOnlyList<string> rejected)
    {
        _seed = seed;
        _servers = servers;
        _instances.AddRange(servers);
        Businesses = businesses;
        Messages = messages;
        RejectedAddresses = rejected;
        foreach (var business in businesses.Where(b => b.HasSmtp))
        {
            _byUser[business.UserName!] = business;
            if (business.Profile == SoakProfile.WrongPassword)
            {
                _wrongPasswordUsers[business.UserName!] = true;
            }
        }

        _states = new ServerState[servers.Length];
        for (var i = 0; i < servers.Length; i++)
        {
            var state = _states[i] = new ServerState(i);
            servers[i].Script = context => Answer(context, state);
        }
    }

    public IReadOnlyList<SoakBusiness> Businesses { get; }

    public IReadOnlyList<SoakMessage> Messages { get; }

    public IReadOnlyList<string> RejectedAddresses { get; }

    /// <summary>Every server instance that ran, the restarted one's two lives included.</summary>
    public IReadOnlyList<ScriptedSmtpServer> Instances
    {
        get
        {
            lock (_instances)
            {
                return [.. _instances];
            }
        }
    }

    /// <summary>Faults the servers injected, by kind.</summary>
    public IReadOnlyDictionary<string, int> Faults => _faults;

    public IReadOnlyCollection<string> DroppedAfterData => [.. _droppedAfterData.Keys];

    public int FailedSignIns(string userName) => _failedSignIns.GetValueOrDefault(userName);

    public static async Task<SoakWorld> StartAsync(int seed, int businessCount, int messageCount)
    {
        var random = new Random(seed);
        var servers = new ScriptedSmtpServer[6];
        for (var i = 0; i < servers.Length; i++)
        {
            servers[i] = await ScriptedSmtpServer.StartAsync(ServerOptions(i, port: 0));
        }

        var profiles = new List<SoakProfile>();
        void Add(SoakProfile profile, int count) => profiles.AddRange(Enumerable.Repeat(profile, count));
        Add(SoakProfile.WrongPassword, 8);
        Add(SoakProfile.ProviderQuota, 8);
        Add(SoakProfile.OwnHourlyLimit, 16);
        Add(SoakProfile.NoSmtp, 10);
        Add(SoakProfile.SmtpDisabled, 4);
        Add(SoakProfile.OnlyDirect, 12);
        Add(SoakProfile.Healthy, businessCount - profiles.Count);
        random.Shuffle(CollectionsMarshal.AsSpan(profiles));

        var businesses = new List<SoakBusiness>(businessCount);
        for (var i = 0; i < profiles.Count; i++)
        {
            var profile = profiles[i];
            var serverIndex = i % servers.Length;
            var id = $"s{i:000}";
            var quota = profile switch
            {
                SoakProfile.OwnHourlyLimit => random.Next(40, 81),
                SoakProfile.ProviderQuota => random.Next(30, 61),
                _ => 0,
            };
            var user = profile == SoakProfile.NoSmtp ? null : $"{id}@{servers[serverIndex].Options.ServerName}";
            businesses.Add(new SoakBusiness(id, profile, serverIndex, user, quota));
        }

        string[] rejected = ["gone1@clients.example", "gone2@clients.example", "typo@clinets.example"];
        var categories = Enum.GetValues<EmailCategory>();
        var messages = new List<SoakMessage>(messageCount);
        for (var n = 0; n < messageCount; n++)
        {
            var business = businesses[random.Next(businesses.Count)];
            var category = categories[random.Next(categories.Length)];
            var to = random.Next(200) == 0 ? rejected[random.Next(rejected.Length)] : $"client{random.Next(5000)}@clients.example";
            messages.Add(new SoakMessage(n, business, category, to));
        }

        return new SoakWorld(seed, servers, businesses, messages, rejected);
    }

    public BusinessEmailSettings Settings(SoakBusiness business)
    {
        if (!business.HasSmtp)
        {
            return EndToEndHost.Business(business.Id, smtp: null);
        }

        var server = _servers[business.ServerIndex];
        var password = _wrongPasswordUsers.ContainsKey(business.UserName!) ? OldPassword : NewPassword;
        var account = EndToEndHost.With(
            server.CreateAccountSettings(business.UserName!, business.UserName, password),
            limits: business.Profile == SoakProfile.OwnHourlyLimit ? new SendLimits { MessagesPerHour = business.Quota } : null);
        return EndToEndHost.Business(
            business.Id,
            account,
            onlyDirect: business.Profile == SoakProfile.OnlyDirect,
            smtpEnabled: business.Profile != SoakProfile.SmtpDisabled);
    }

    /// <summary>Stops a server, closing its connections, and starts it again on the same port with the same script.</summary>
    public async Task RestartAsync(int index)
    {
        var old = _servers[index];
        await old.DisposeAsync();
        Count("server restarted");
        var replacement = await ScriptedSmtpServer.StartAsync(ServerOptions(index, old.Port));
        var state = _states[index];
        state.Instance++;
        replacement.Script = context => Answer(context, state);
        lock (_instances)
        {
            _servers[index] = replacement;
            _instances.Add(replacement);
        }
    }

    public void FixPasswords(MutableSettingsProvider settings)
    {
        foreach (var business in Businesses.Where(b => b.Profile == SoakProfile.WrongPassword))
        {
            _wrongPasswordUsers.TryRemove(business.UserName!, out _);
            settings.Set(Settings(business));
        }
    }

    public void StartNewProviderDay() => _deliveredToday.Clear();

    public async ValueTask DisposeAsync()
    {
        foreach (var server in Instances)
        {
            await server.DisposeAsync();
        }
    }

    private static ScriptedSmtpServerOptions ServerOptions(int index, int port) => new()
    {
        ServerName = $"mail{index}.soak.test",
        Security = index % 2 == 0 ? ScriptedServerSecurity.None : ScriptedServerSecurity.StartTls,
        Port = port,
    };

    private SmtpReply? Answer(SmtpScriptContext context, ServerState state)
    {
        var user = context.UserName;
        switch (context.Stage)
        {
            case SmtpStage.Greeting or SmtpStage.Ehlo or SmtpStage.Tls:
                return Drop(context, state, OpeningDropRate);

            case SmtpStage.Authenticate:
                if (Drop(context, state, OpeningDropRate) is { } dropped)
                {
                    return dropped;
                }

                if (user is not null && _wrongPasswordUsers.ContainsKey(user))
                {
                    _failedSignIns.AddOrUpdate(user, 1, static (_, n) => n + 1);
                    Count("535 wrong password");
                    return ProviderReplies.Gmail.BadCredentials;
                }

                return null;

            case SmtpStage.MailFrom:
                if (Drop(context, state, CommandDropRate) is { } droppedAtMail)
                {
                    return droppedAtMail;
                }

                var position = Interlocked.Increment(ref state.MailFroms);
                if (position % StormEvery < StormLength && position > StormLength)
                {
                    Count("421 storm reply");
                    return Busy;
                }

                var business = user is null ? null : _byUser.GetValueOrDefault(user);
                if (business is { Profile: SoakProfile.ProviderQuota } && _deliveredToday.GetValueOrDefault(user!) >= business.Quota)
                {
                    Count("550 5.4.5 provider quota");
                    return ProviderReplies.Gmail.DailyLimitExceeded;
                }

                return null;

            case SmtpStage.RcptTo:
                if (Drop(context, state, CommandDropRate) is { } droppedAtRcpt)
                {
                    return droppedAtRcpt;
                }

                if (RejectedAddresses.Contains(context.Address, StringComparer.OrdinalIgnoreCase))
                {
                    Count("550 5.1.1 unknown recipient");
                    return NoSuchUser;
                }

                return null;

            case SmtpStage.Data:
                return Drop(context, state, CommandDropRate);

            case SmtpStage.AfterData:
                var messageId = context.Message!.Message.MessageId ?? string.Empty;
                if (Roll(messageId, 0, 0) < AfterDataDropRate)
                {
                    _droppedAfterData.TryAdd(messageId, 0);
                    Count("dropped after the end of DATA");
                    return SmtpReply.Disconnect;
                }

                if (user is not null)
                {
                    _deliveredToday.AddOrUpdate(user, 1, static (_, n) => n + 1);
                }

                return null;

            default:
                return null;
        }
    }

    /// <summary>Drops the connection at this stage with the given chance, fixed by the seed, the server's life, the connection and its command count.</summary>
    private SmtpReply? Drop(SmtpScriptContext context, ServerState state, double rate)
    {
        var command = state.Commands.AddOrUpdate(context.ConnectionId, 1, static (_, n) => n + 1);
        if (Roll($"{state.Index}.{state.Instance}.{context.ConnectionId}", command, (int)context.Stage) >= rate)
        {
            return null;
        }

        Count($"dropped at {context.Stage}");
        return SmtpReply.Disconnect;
    }

    private double Roll(string key, int a, int b)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in key)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        var z = hash ^ ((ulong)(uint)_seed << 32) ^ ((ulong)(uint)a << 8) ^ (ulong)(uint)b;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (z >> 11) * (1.0 / (1UL << 53));
    }

    private void Count(string fault) => _faults.AddOrUpdate(fault, 1, static (_, n) => n + 1);

    private sealed class ServerState(int index)
    {
        public int MailFroms;

        public int Index { get; } = index;

        public int Instance { get; set; }

        public ConcurrentDictionary<int, int> Commands { get; } = new();
    }
}
