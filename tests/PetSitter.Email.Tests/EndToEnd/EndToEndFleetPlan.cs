using PetSitter.Email.Testing;

namespace PetSitter.Email.Tests.EndToEnd;

/// <summary>
/// The end-to-end fleet: fifty businesses over four servers (Gmail- and Microsoft 365-like ones among
/// them), passing 421/451 refusals at fixed intervals, and a fixed number of connections lost after the
/// end of DATA, drawn where SMTP is certain to be tried.
/// </summary>
internal sealed class EndToEndFleetPlan(int plannedDrops) : FleetPlan
{
    /// <summary>Every this many MAIL FROM commands, a server answers 421 and closes the connection.</summary>
    public const int BusyEvery = 150;

    /// <summary>A message whose number is a multiple of this is refused with 451 after its DATA the first time it arrives.</summary>
    public const int TryLaterEvery = 89;

    private const int Gmail = 0;
    private const int Office = 1;

    private static readonly SmtpReply Busy = new(421, "4.3.0 Temporary System Problem. Try again later");
    private static readonly SmtpReply TryLater = new(451, "4.3.0 Mail server temporarily rejected message.");

    private readonly HashSet<string> _plannedDrops = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _triedLater = new(StringComparer.Ordinal);
    private int _transientReplies;

    public override int ServerCount => 4;

    public override (FleetProfile Profile, int Count)[] Profiles =>
    [
        (FleetProfile.GmailQuotaAtMailFrom, 4),
        (FleetProfile.GmailQuotaAfterData, 2),
        (FleetProfile.MicrosoftQuotaAfterData, 3),
        (FleetProfile.WrongPasswordGmail, 2),
        (FleetProfile.WrongPasswordMicrosoft, 1),
        (FleetProfile.NoSmtp, 3),
        (FleetProfile.SmtpDisabled, 2),
        (FleetProfile.OnlyDirect, 6),
        (FleetProfile.OwnHourlyLimit, 4),
    ];

    public override int RejectedOneIn => 100;

    public override int Clients => 3000;

    /// <summary>Gets the Message-IDs whose connection is to be lost after the end of DATA.</summary>
    public IReadOnlySet<string> PlannedDrops => _plannedDrops;

    /// <summary>Gets how many 421 and 451 replies the servers sent.</summary>
    public int TransientReplies => Volatile.Read(ref _transientReplies);

    public override ScriptedSmtpServerOptions ServerOptions(int index, int port) => index switch
    {
        Gmail => new() { ServerName = "smtp.gmail.test", Port = port },
        Office => new() { ServerName = "smtp.office365.test", Security = ScriptedServerSecurity.StartTls, Port = port },
        2 => new() { ServerName = "mail-a.test", Port = port },
        _ => new() { ServerName = "mail-b.test", Port = port },
    };

    public override string BusinessId(int index) => $"b{index:00}";

    public override int ServerFor(FleetProfile profile, int business) => profile switch
    {
        FleetProfile.GmailQuotaAtMailFrom or FleetProfile.GmailQuotaAfterData or FleetProfile.WrongPasswordGmail => Gmail,
        FleetProfile.MicrosoftQuotaAfterData or FleetProfile.WrongPasswordMicrosoft => Office,
        _ => business % ServerCount,
    };

    public override int Quota(FleetProfile profile, Random random) => profile switch
    {
        FleetProfile.OwnHourlyLimit => random.Next(40, 61),
        FleetProfile.GmailQuotaAtMailFrom or FleetProfile.GmailQuotaAfterData or FleetProfile.MicrosoftQuotaAfterData => random.Next(30, 61),
        _ => 0,
    };

    public override void Prepare(Random random, IReadOnlyList<FleetMessage> messages, IReadOnlyList<string> rejectedAddresses)
    {
        // Connections lost after the end of DATA, only where SMTP is certain to be tried: healthy accounts, good addresses.
        var candidates = messages
            .Where(m => m.Business.Profile == FleetProfile.Healthy && !rejectedAddresses.Contains(m.To) && m.Number % TryLaterEvery != 0)
            .ToList();
        while (_plannedDrops.Count < plannedDrops)
        {
            _plannedDrops.Add(EndToEndHost.MessageId(candidates[random.Next(candidates.Count)].Number));
        }
    }

    public override SmtpReply? Inject(FleetWorld world, SmtpScriptContext context, FleetServerState state)
    {
        switch (context.Stage)
        {
            case SmtpStage.MailFrom when Interlocked.Increment(ref state.MailFroms) % BusyEvery == 0:
                Interlocked.Increment(ref _transientReplies);
                world.Count("421 busy");
                return Busy;

            case SmtpStage.AfterData:
                var messageId = context.Message!.Message.MessageId ?? string.Empty;
                if (_plannedDrops.Contains(messageId))
                {
                    return world.DropAfterData(messageId);
                }

                if (TriesLater(messageId) && _triedLater.TryAdd(messageId, 0))
                {
                    Interlocked.Increment(ref _transientReplies);
                    world.Count("451 try later after DATA");
                    return TryLater;
                }

                return null;

            default:
                return null;
        }
    }

    private static bool TriesLater(string messageId) =>
        int.Parse(messageId.AsSpan(1, 5), System.Globalization.CultureInfo.InvariantCulture) % TryLaterEvery == 0;
}
