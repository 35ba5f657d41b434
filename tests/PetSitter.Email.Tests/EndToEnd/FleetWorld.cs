using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using PetSitter.Email.Testing;

namespace PetSitter.Email.Tests.EndToEnd;

/// <summary>What a business's mailbox does in a fleet run, apart from the faults its plan injects.</summary>
internal enum FleetProfile
{
    /// <summary>Sends everything, apart from the faults every mailbox meets.</summary>
    Healthy,

    /// <summary>Gmail that answers <c>550 5.4.5</c> at MAIL FROM once its day's quota is used.</summary>
    GmailQuotaAtMailFrom,

    /// <summary>Gmail that answers <c>550 5.4.5</c> after the end of DATA once its day's quota is used.</summary>
    GmailQuotaAfterData,

    /// <summary>Microsoft 365 that answers <c>554 5.2.0 ...SubmissionQuotaExceeded</c> after the end of DATA once its quota is used.</summary>
    MicrosoftQuotaAfterData,

    /// <summary>Gmail whose stored password is out of date (<c>535 5.7.8</c>) until the owner fixes it.</summary>
    WrongPasswordGmail,

    /// <summary>Microsoft 365 whose stored password is out of date.</summary>
    WrongPasswordMicrosoft,

    /// <summary>No SMTP configured: everything native.</summary>
    NoSmtp,

    /// <summary>SMTP configured but switched off: everything native.</summary>
    SmtpDisabled,

    /// <summary>"Only Use for Direct Emails" on: documents native, marketing and general mail over SMTP.</summary>
    OnlyDirect,

    /// <summary>An account with a small hourly limit of its own, so the library's limiter refuses before the provider would.</summary>
    OwnHourlyLimit,
}

internal sealed record FleetBusiness(string Id, FleetProfile Profile, int ServerIndex, string? UserName, int Quota)
{
    public bool HasSmtp => UserName is not null;

    public bool IsWrongPassword => Profile is FleetProfile.WrongPasswordGmail or FleetProfile.WrongPasswordMicrosoft;

    public bool HasProviderQuota => Profile is FleetProfile.GmailQuotaAtMailFrom or FleetProfile.GmailQuotaAfterData or FleetProfile.MicrosoftQuotaAfterData;
}

internal sealed record FleetMessage(int Number, FleetBusiness Business, EmailCategory Category, string To);

/// <summary>One scripted server's life in a fleet run, as a plan's faults see it.</summary>
internal sealed class FleetServerState(int index)
{
    public int MailFroms;

    public int Index { get; } = index;

    /// <summary>Gets or sets which life of the server this is: 0, then 1 after a restart.</summary>
    public int Instance { get; set; }

    /// <summary>Gets the commands seen per connection so far.</summary>
    public ConcurrentDictionary<int, int> Commands { get; } = new();
}

/// <summary>
/// What differs between fleet runs: the servers, the mix of businesses and messages, and the faults the
/// servers inject before they answer as the businesses' providers would.
/// </summary>
internal abstract class FleetPlan
{
    public abstract int ServerCount { get; }

    public abstract (FleetProfile Profile, int Count)[] Profiles { get; }

    /// <summary>Gets one in how many messages goes to a refused address.</summary>
    public abstract int RejectedOneIn { get; }

    /// <summary>Gets how many distinct good client addresses the messages go to.</summary>
    public abstract int Clients { get; }

    public abstract ScriptedSmtpServerOptions ServerOptions(int index, int port);

    public abstract string BusinessId(int index);

    public abstract int ServerFor(FleetProfile profile, int business);

    /// <summary>A business's quota (own hourly limit or provider day), drawn from the world's one seed.</summary>
    public abstract int Quota(FleetProfile profile, Random random);

    /// <summary>Draws whatever the faults need from the messages, after them, from the same seed.</summary>
    public virtual void Prepare(Random random, IReadOnlyList<FleetMessage> messages, IReadOnlyList<string> rejectedAddresses)
    {
    }

    /// <summary>A fault to answer with instead of the provider's own answer, or <see langword="null"/>.</summary>
    public abstract SmtpReply? Inject(FleetWorld world, SmtpScriptContext context, FleetServerState state);
}

/// <summary>
/// Businesses over scripted servers and messages for them, all drawn from one seed by a <see cref="FleetPlan"/>.
/// The servers answer as the businesses' providers would (quotas that run out, out-of-date passwords,
/// unknown addresses) after the plan's faults. The world counts what it answered and every fault, so a
/// test can check the library's outcomes against the servers' side of the story. One harness for the
/// end-to-end fleet test and the fault soak.
/// </summary>
internal sealed class FleetWorld : IAsyncDisposable
{
    public const string OldPassword = "old-password";
    public const string NewPassword = "new-app-password";

    private static readonly SmtpReply NoSuchUser = new(550, "5.1.1 The email account that you tried to reach does not exist.");

    private readonly FleetPlan _plan;
    private readonly Dictionary<string, FleetBusiness> _byUser = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, bool> _wrongPasswordUsers = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, int> _deliveredToday = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, int> _failedSignIns = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, int> _quotaReplies = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, int> _faults = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _droppedAfterData = new(StringComparer.Ordinal);
    private readonly List<ScriptedSmtpServer> _instances = [];
    private readonly ScriptedSmtpServer[] _servers;
    private readonly FleetServerState[] _states;

    private FleetWorld(FleetPlan plan, ScriptedSmtpServer[] servers, IReadOnlyList<FleetBusiness> businesses, IReadOnlyList<FleetMessage> messages, IReadOnlyList<string> rejected)
    {
        _plan = plan;
        _servers = servers;
        _instances.AddRange(servers);
        Businesses = businesses;
        Messages = messages;
        RejectedAddresses = rejected;
        foreach (var business in businesses.Where(b => b.HasSmtp))
        {
            _byUser[business.UserName!] = business;
            if (business.IsWrongPassword)
            {
                _wrongPasswordUsers[business.UserName!] = true;
            }
        }

        _states = new FleetServerState[servers.Length];
        for (var i = 0; i < servers.Length; i++)
        {
            var state = _states[i] = new FleetServerState(i);
            servers[i].Script = context => Answer(context, state);
        }
    }

    public IReadOnlyList<FleetBusiness> Businesses { get; }

    public IReadOnlyList<FleetMessage> Messages { get; }

    public IReadOnlyList<string> RejectedAddresses { get; }

    /// <summary>Gets the servers running now.</summary>
    public IReadOnlyList<ScriptedSmtpServer> Servers
    {
        get
        {
            lock (_instances)
            {
                return [.. _servers];
            }
        }
    }

    /// <summary>Gets every server instance that ran, a restarted one's two lives included.</summary>
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

    /// <summary>Gets the faults the servers injected, by kind.</summary>
    public IReadOnlyDictionary<string, int> Faults => _faults;

    /// <summary>Gets the Message-IDs whose connection was dropped after the end of their DATA, the server keeping them.</summary>
    public IReadOnlyCollection<string> DroppedAfterData => [.. _droppedAfterData.Keys];

    public int FailedSignIns(string userName) => _failedSignIns.GetValueOrDefault(userName);

    public int QuotaReplies(string userName) => _quotaReplies.GetValueOrDefault(userName);

    public int TotalQuotaReplies => _quotaReplies.Values.Sum();

    public static async Task<FleetWorld> StartAsync(FleetPlan plan, int seed, int businessCount, int messageCount)
    {
        var random = new Random(seed);
        var servers = new ScriptedSmtpServer[plan.ServerCount];
        for (var i = 0; i < servers.Length; i++)
        {
            servers[i] = await ScriptedSmtpServer.StartAsync(plan.ServerOptions(i, port: 0));
        }

        var profiles = new List<FleetProfile>();
        foreach (var (profile, count) in plan.Profiles)
        {
            profiles.AddRange(Enumerable.Repeat(profile, count));
        }

        profiles.AddRange(Enumerable.Repeat(FleetProfile.Healthy, businessCount - profiles.Count));
        random.Shuffle(CollectionsMarshal.AsSpan(profiles));

        var businesses = new List<FleetBusiness>(businessCount);
        for (var i = 0; i < profiles.Count; i++)
        {
            var profile = profiles[i];
            var serverIndex = plan.ServerFor(profile, i);
            var id = plan.BusinessId(i);
            var quota = plan.Quota(profile, random);
            var user = profile == FleetProfile.NoSmtp ? null : $"{id}@{servers[serverIndex].Options.ServerName}";
            businesses.Add(new FleetBusiness(id, profile, serverIndex, user, quota));
        }

        string[] rejected = ["gone1@clients.example", "gone2@clients.example", "typo@clinets.example"];
        var categories = Enum.GetValues<EmailCategory>();
        var messages = new List<FleetMessage>(messageCount);
        for (var n = 0; n < messageCount; n++)
        {
            var business = businesses[random.Next(businesses.Count)];
            var category = categories[random.Next(categories.Length)];
            var to = random.Next(plan.RejectedOneIn) == 0 ? rejected[random.Next(rejected.Length)] : $"client{random.Next(plan.Clients)}@clients.example";
            messages.Add(new FleetMessage(n, business, category, to));
        }

        plan.Prepare(random, messages, rejected);
        return new FleetWorld(plan, servers, businesses, messages, rejected);
    }

    public BusinessEmailSettings Settings(FleetBusiness business)
    {
        if (!business.HasSmtp)
        {
            return EndToEndHost.Business(business.Id, smtp: null);
        }

        var server = Servers[business.ServerIndex];
        var password = _wrongPasswordUsers.ContainsKey(business.UserName!) ? OldPassword : NewPassword;
        var account = EndToEndHost.With(
            server.CreateAccountSettings(business.UserName!, business.UserName, password),
            limits: business.Profile == FleetProfile.OwnHourlyLimit ? new SendLimits { MessagesPerHour = business.Quota } : null);
        return EndToEndHost.Business(
            business.Id,
            account,
            onlyDirect: business.Profile == FleetProfile.OnlyDirect,
            smtpEnabled: business.Profile != FleetProfile.SmtpDisabled);
    }

    /// <summary>Stops a server, closing its connections, and starts it again on the same port with the same script.</summary>
    public async Task RestartAsync(int index)
    {
        var old = Servers[index];
        await old.DisposeAsync();
        Count("server restarted");
        var replacement = await ScriptedSmtpServer.StartAsync(_plan.ServerOptions(index, old.Port));
        var state = _states[index];
        state.Instance++;
        replacement.Script = context => Answer(context, state);
        lock (_instances)
        {
            _servers[index] = replacement;
            _instances.Add(replacement);
        }
    }

    /// <summary>The owners update their passwords: the providers take the new ones, the settings hold them.</summary>
    public void FixPasswords(MutableSettingsProvider settings)
    {
        foreach (var business in Businesses.Where(b => b.IsWrongPassword))
        {
            _wrongPasswordUsers.TryRemove(business.UserName!, out _);
            settings.Set(Settings(business));
        }
    }

    /// <summary>The providers' rolling day moves on: their quota counts start again.</summary>
    public void StartNewProviderDay() => _deliveredToday.Clear();

    /// <summary>Gets how many messages the servers received signed in as <paramref name="userName"/>.</summary>
    public int Delivered(string userName) => Instances.Sum(s => s.Messages.Count(m => string.Equals(m.UserName, userName, StringComparison.OrdinalIgnoreCase)));

    /// <summary>Counts one injected fault of <paramref name="fault"/>'s kind.</summary>
    public void Count(string fault) => _faults.AddOrUpdate(fault, 1, static (_, n) => n + 1);

    /// <summary>Drops the connection after the end of a message's DATA: the server keeps the message, the client never hears so.</summary>
    public SmtpReply DropAfterData(string messageId)
    {
        _droppedAfterData.TryAdd(messageId, 0);
        Count("dropped after the end of DATA");
        return SmtpReply.Disconnect;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in Instances)
        {
            await server.DisposeAsync();
        }
    }

    private SmtpReply? Answer(SmtpScriptContext context, FleetServerState state) =>
        _plan.Inject(this, context, state) ?? AnswerAsProvider(context);

    private SmtpReply? AnswerAsProvider(SmtpScriptContext context)
    {
        var user = context.UserName;
        var business = user is null ? null : _byUser.GetValueOrDefault(user);
        switch (context.Stage)
        {
            case SmtpStage.Authenticate when user is not null && _wrongPasswordUsers.ContainsKey(user):
                _failedSignIns.AddOrUpdate(user, 1, static (_, count) => count + 1);
                Count("535 wrong password");
                return business!.Profile == FleetProfile.WrongPasswordMicrosoft
                    ? ProviderReplies.Microsoft365.AuthenticationUnsuccessful
                    : ProviderReplies.Gmail.BadCredentials;

            case SmtpStage.MailFrom:
                return business is { Profile: FleetProfile.GmailQuotaAtMailFrom } && OverQuota(business, "550 5.4.5 provider quota")
                    ? ProviderReplies.Gmail.DailyLimitExceeded
                    : null;

            case SmtpStage.RcptTo:
                if (RejectedAddresses.Contains(context.Address, StringComparer.OrdinalIgnoreCase))
                {
                    Count("550 5.1.1 unknown recipient");
                    return NoSuchUser;
                }

                return null;

            case SmtpStage.AfterData:
                if (business is { Profile: FleetProfile.GmailQuotaAfterData } && OverQuota(business, "550 5.4.5 provider quota after DATA"))
                {
                    return ProviderReplies.Gmail.DailyLimitExceeded;
                }

                if (business is { Profile: FleetProfile.MicrosoftQuotaAfterData } && OverQuota(business, "554 5.2.0 provider quota after DATA"))
                {
                    return ProviderReplies.Microsoft365.SubmissionQuotaExceeded;
                }

                if (user is not null)
                {
                    _deliveredToday.AddOrUpdate(user, 1, static (_, count) => count + 1);
                }

                return null;

            default:
                return null;
        }
    }

    private bool OverQuota(FleetBusiness business, string fault)
    {
        if (_deliveredToday.GetValueOrDefault(business.UserName!) < business.Quota)
        {
            return false;
        }

        _quotaReplies.AddOrUpdate(business.UserName!, 1, static (_, count) => count + 1);
        Count(fault);
        return true;
    }
}
