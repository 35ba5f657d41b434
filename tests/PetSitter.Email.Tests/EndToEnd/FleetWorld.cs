using System.Collections.Concurrent;
using PetSitter.Email.Testing;

namespace PetSitter.Email.Tests.EndToEnd;

/// <summary>What a business's mailbox does in the fleet run.</summary>
internal enum FleetProfile
{
    /// <summary>Sends everything, apart from the odd passing refusal, refused address or dropped connection.</summary>
    Healthy,

    /// <summary>Gmail that answers <c>550 5.4.5</c> at MAIL FROM once its day's quota is used.</summary>
    GmailQuotaAtMailFrom,

    /// <summary>Gmail that answers <c>550 5.4.5</c> after the end of DATA once its day's quota is used.</summary>
    GmailQuotaAfterData,

    /// <summary>Microsoft 365 that answers <c>554 5.2.0 ...SubmissionQuotaExceeded</c> after the end of DATA once its quota is used.</summary>
    MicrosoftQuotaAfterData,

    /// <summary>Gmail whose stored password is out of date.</summary>
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

internal sealed record FleetBusiness(string Id, FleetProfile Profile, ScriptedSmtpServer? Server, string? UserName, int Quota)
{
    public bool IsWrongPassword => Profile is FleetProfile.WrongPasswordGmail or FleetProfile.WrongPasswordMicrosoft;

    public bool HasProviderQuota => Profile is FleetProfile.GmailQuotaAtMailFrom or FleetProfile.GmailQuotaAfterData or FleetProfile.MicrosoftQuotaAfterData;
}

internal sealed record FleetMessage(int Number, FleetBusiness Business, EmailCategory Category, string To);

/// <summary>
/// Fifty businesses over four scripted servers, and ten thousand messages for them, all drawn from one seed.
/// The servers answer as the businesses' providers would: quotas that run out, out-of-date passwords, passing
/// 421/451 refusals, unknown addresses and connections lost after the end of DATA. The world counts what
/// it answered, so the test can check the library's outcomes against the servers' side of the story.
/// </summary>
internal sealed class FleetWorld : IAsyncDisposable
{
    public const string OldPassword = "old-password";
    public const string NewPassword = "new-app-password";

    /// <summary>Every this many MAIL FROM commands, a server answers 421 and closes the connection.</summary>
    public const int BusyEvery = 150;

    /// <summary>A message whose number is a multiple of this is refused with 451 after its DATA the first time it arrives.</summary>
    public const int TryLaterEvery = 89;

    private static readonly SmtpReply Busy = new(421, "4.3.0 Temporary System Problem. Try again later");
    private static readonly SmtpReply TryLater = new(451, "4.3.0 Mail server temporarily rejected message.");
    private static readonly SmtpReply NoSuchUser = new(550, "5.1.1 The email account that you tried to reach does not exist.");

    private readonly Dictionary<string, FleetBusiness> _byUser = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, bool> _wrongPasswordUsers = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, int> _deliveredToday = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, int> _failedSignIns = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, int> _quotaReplies = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, byte> _dropped = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _triedLater = new(StringComparer.Ordinal);
    private readonly HashSet<string> _plannedDrops;
    private int _transientReplies;

    private FleetWorld(IReadOnlyList<ScriptedSmtpServer> servers, IReadOnlyList<FleetBusiness> businesses, IReadOnlyList<FleetMessage> messages, HashSet<string> plannedDrops, IReadOnlyList<string> rejectedAddresses)
    {
        Servers = servers;
        Businesses = businesses;
        Messages = messages;
        _plannedDrops = plannedDrops;
        RejectedAddresses = rejectedAddresses;
        foreach (var business in businesses.Where(b => b.UserName is not null))
        {
            _byUser[business.UserName!] = business;
            if (business.IsWrongPassword)
            {
                _wrongPasswordUsers[business.UserName!] = true;
            }
        }

        foreach (var server in servers)
        {
            var mailFroms = new Counter();
            server.Script = context => Answer(context, mailFroms);
        }
    }

    public IReadOnlyList<ScriptedSmtpServer> Servers { get; }

    public IReadOnlyList<FleetBusiness> Businesses { get; }

    public IReadOnlyList<FleetMessage> Messages { get; }

    public IReadOnlyList<string> RejectedAddresses { get; }

    public IReadOnlySet<string> PlannedDrops => _plannedDrops;

    public IReadOnlyCollection<string> Dropped => [.. _dropped.Keys];

    public int TransientReplies => Volatile.Read(ref _transientReplies);

    public int FailedSignIns(string userName) => _failedSignIns.GetValueOrDefault(userName);

    public int QuotaReplies(string userName) => _quotaReplies.GetValueOrDefault(userName);

    public int TotalQuotaReplies => _quotaReplies.Values.Sum();

    public static async Task<FleetWorld> StartAsync(int seed, int businessCount, int messageCount, int plannedDrops)
    {
        var random = new Random(seed);
        var gmail = await ScriptedSmtpServer.StartAsync(new() { ServerName = "smtp.gmail.test" });
        var office = await ScriptedSmtpServer.StartAsync(new() { ServerName = "smtp.office365.test", Security = ScriptedServerSecurity.StartTls });
        var mailA = await ScriptedSmtpServer.StartAsync(new() { ServerName = "mail-a.test" });
        var mailB = await ScriptedSmtpServer.StartAsync(new() { ServerName = "mail-b.test" });
        ScriptedSmtpServer[] servers = [gmail, office, mailA, mailB];

        var profiles = new List<FleetProfile>();
        void Add(FleetProfile profile, int count) => profiles.AddRange(Enumerable.Repeat(profile, count));
        Add(FleetProfile.GmailQuotaAtMailFrom, 4);
        Add(FleetProfile.GmailQuotaAfterData, 2);
        Add(FleetProfile.MicrosoftQuotaAfterData, 3);
        Add(FleetProfile.WrongPasswordGmail, 2);
        Add(FleetProfile.WrongPasswordMicrosoft, 1);
        Add(FleetProfile.NoSmtp, 3);
        Add(FleetProfile.SmtpDisabled, 2);
        Add(FleetProfile.OnlyDirect, 6);
        Add(FleetProfile.OwnHourlyLimit, 4);
        Add(FleetProfile.Healthy, businessCount - profiles.Count);
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(profiles));

        var businesses = new List<FleetBusiness>();
        for (var i = 0; i < profiles.Count; i++)
        {
            var profile = profiles[i];
            var server = profile switch
            {
                FleetProfile.NoSmtp => null,
                FleetProfile.GmailQuotaAtMailFrom or FleetProfile.GmailQuotaAfterData or FleetProfile.WrongPasswordGmail => gmail,
                FleetProfile.MicrosoftQuotaAfterData or FleetProfile.WrongPasswordMicrosoft => office,
                _ => servers[i % servers.Length],
            };
            var id = $"b{i:00}";
            var quota = profile switch
            {
                FleetProfile.OwnHourlyLimit => random.Next(40, 61),
                FleetProfile.GmailQuotaAtMailFrom or FleetProfile.GmailQuotaAfterData or FleetProfile.MicrosoftQuotaAfterData => random.Next(30, 61),
                _ => 0,
            };
            businesses.Add(new FleetBusiness(id, profile, server, server is null ? null : $"{id}@{server.Options.ServerName}", quota));
        }

        string[] rejected = ["gone1@clients.example", "gone2@clients.example", "typo@clinets.example"];
        var categories = Enum.GetValues<EmailCategory>();
        var messages = new List<FleetMessage>(messageCount);
        for (var n = 0; n < messageCount; n++)
        {
            var business = businesses[random.Next(businesses.Count)];
            var category = categories[random.Next(categories.Length)];
            var to = random.Next(100) == 0 ? rejected[random.Next(rejected.Length)] : $"client{random.Next(3000)}@clients.example";
            messages.Add(new FleetMessage(n, business, category, to));
        }

        // Connections lost after the end of DATA, only where SMTP is certain to be tried: healthy accounts, good addresses.
        var candidates = messages
            .Where(m => m.Business.Profile == FleetProfile.Healthy && !rejected.Contains(m.To) && m.Number % TryLaterEvery != 0)
            .ToList();
        var drops = new HashSet<string>(StringComparer.Ordinal);
        while (drops.Count < plannedDrops)
        {
            drops.Add(EndToEndHost.MessageId(candidates[random.Next(candidates.Count)].Number));
        }

        return new FleetWorld(servers, businesses, messages, drops, rejected);
    }

    public BusinessEmailSettings Settings(FleetBusiness business)
    {
        if (business.Server is null)
        {
            return EndToEndHost.Business(business.Id, smtp: null);
        }

        var password = business.IsWrongPassword && _wrongPasswordUsers.ContainsKey(business.UserName!) ? OldPassword : NewPassword;
        var account = EndToEndHost.With(
            business.Server.CreateAccountSettings(business.UserName!, business.UserName, password),
            limits: business.Profile == FleetProfile.OwnHourlyLimit ? new SendLimits { MessagesPerHour = business.Quota } : null);
        return EndToEndHost.Business(
            business.Id,
            account,
            onlyDirect: business.Profile == FleetProfile.OnlyDirect,
            smtpEnabled: business.Profile != FleetProfile.SmtpDisabled);
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

    public int Delivered(string userName) => Servers.Sum(s => s.Messages.Count(m => string.Equals(m.UserName, userName, StringComparison.OrdinalIgnoreCase)));

    public async ValueTask DisposeAsync()
    {
        foreach (var server in Servers)
        {
            await server.DisposeAsync();
        }
    }

    private SmtpReply? Answer(SmtpScriptContext context, Counter mailFroms)
    {
        var user = context.UserName;
        var business = user is null ? null : _byUser.GetValueOrDefault(user);
        switch (context.Stage)
        {
            case SmtpStage.Authenticate when user is not null && _wrongPasswordUsers.ContainsKey(user):
                _failedSignIns.AddOrUpdate(user, 1, static (_, count) => count + 1);
                return business!.Profile == FleetProfile.WrongPasswordMicrosoft
                    ? ProviderReplies.Microsoft365.AuthenticationUnsuccessful
                    : ProviderReplies.Gmail.BadCredentials;

            case SmtpStage.MailFrom:
                if (Interlocked.Increment(ref mailFroms.Value) % BusyEvery == 0)
                {
                    Interlocked.Increment(ref _transientReplies);
                    return Busy;
                }

                return business is { Profile: FleetProfile.GmailQuotaAtMailFrom } && OverQuota(business)
                    ? ProviderReplies.Gmail.DailyLimitExceeded
                    : null;

            case SmtpStage.RcptTo:
                return RejectedAddresses.Contains(context.Address, StringComparer.OrdinalIgnoreCase) ? NoSuchUser : null;

            case SmtpStage.AfterData:
                var messageId = context.Message!.Message.MessageId ?? string.Empty;
                if (_plannedDrops.Contains(messageId))
                {
                    _dropped.TryAdd(messageId, 0);
                    return SmtpReply.Disconnect;
                }

                if (TriesLater(messageId) && _triedLater.TryAdd(messageId, 0))
                {
                    Interlocked.Increment(ref _transientReplies);
                    return TryLater;
                }

                if (business is { Profile: FleetProfile.GmailQuotaAfterData or FleetProfile.MicrosoftQuotaAfterData } && OverQuota(business))
                {
                    return business.Profile == FleetProfile.MicrosoftQuotaAfterData
                        ? ProviderReplies.Microsoft365.SubmissionQuotaExceeded
                        : ProviderReplies.Gmail.DailyLimitExceeded;
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

    private bool OverQuota(FleetBusiness business)
    {
        if (_deliveredToday.GetValueOrDefault(business.UserName!) < business.Quota)
        {
            return false;
        }

        _quotaReplies.AddOrUpdate(business.UserName!, 1, static (_, count) => count + 1);
        return true;
    }

    private static bool TriesLater(string messageId) =>
        int.Parse(messageId.AsSpan(1, 5), System.Globalization.CultureInfo.InvariantCulture) % TryLaterEvery == 0;

    private sealed class Counter
    {
        public int Value;
    }
}
