using PetSitter.Email.Testing;
using PetSitter.Email.Tests.EndToEnd;
using PetSitter.Email.Tests.Faults;

namespace PetSitter.Email.Tests.Soak;

/// <summary>
/// The fault soak: two hundred businesses over six servers, and the faults of the fault tests scattered
/// over them from one seed: connections dropped at every stage, 421 storms, connections lost after the end
/// of DATA (and a server restarted mid-run, by the test). Faults below the protocol come from a
/// <see cref="ChaosSmtpTransport"/>.
/// </summary>
internal sealed class SoakFleetPlan(int seed) : FleetPlan
{
    /// <summary>Every this many MAIL FROM commands a server starts a storm of <see cref="StormLength"/> 421 replies.</summary>
    public const int StormEvery = 1_000;

    /// <remarks>
    /// Shorter than every MAIL FROM one message gets (10 deferred tries of 3 attempts = 30), which a count-based storm
    /// must be: in phase 2 a server can have one waiting message left, and that message then meets every reply of a
    /// storm that starts just before it. At 30 a marketing email that met a storm as its server's only sender failed
    /// Transient after its 10 tries (the library behaved as designed), in 1 of about 30 runs here (issue 16).
    /// </remarks>
    public const int StormLength = 20;

    /// <summary>The chance that a new connection is dropped at each of its opening stages (greeting, EHLO, STARTTLS, AUTH).</summary>
    public const double OpeningDropRate = 0.02;

    /// <summary>The chance that a MAIL FROM, RCPT TO or DATA command is met with a dropped connection.</summary>
    public const double CommandDropRate = 0.002;

    /// <summary>The chance that a message's connection is lost after the end of its DATA, the server keeping it.</summary>
    public const double AfterDataDropRate = 0.001;

    public const int RestartedServer = 5;

    private static readonly SmtpReply Busy = new(421, "4.3.2 Service not available, closing transmission channel");

    public override int ServerCount => 6;

    public override (FleetProfile Profile, int Count)[] Profiles =>
    [
        (FleetProfile.WrongPasswordGmail, 8),
        (FleetProfile.GmailQuotaAtMailFrom, 8),
        (FleetProfile.OwnHourlyLimit, 16),
        (FleetProfile.NoSmtp, 10),
        (FleetProfile.SmtpDisabled, 4),
        (FleetProfile.OnlyDirect, 12),
    ];

    public override int RejectedOneIn => 200;

    public override int Clients => 5000;

    public override ScriptedSmtpServerOptions ServerOptions(int index, int port) => new()
    {
        ServerName = $"mail{index}.soak.test",
        Security = index % 2 == 0 ? ScriptedServerSecurity.None : ScriptedServerSecurity.StartTls,
        Port = port,
    };

    public override string BusinessId(int index) => $"s{index:000}";

    public override int ServerFor(FleetProfile profile, int business) => business % ServerCount;

    public override int Quota(FleetProfile profile, Random random) => profile switch
    {
        FleetProfile.OwnHourlyLimit => random.Next(40, 81),
        FleetProfile.GmailQuotaAtMailFrom => random.Next(30, 61),
        _ => 0,
    };

    public override SmtpReply? Inject(FleetWorld world, SmtpScriptContext context, FleetServerState state)
    {
        switch (context.Stage)
        {
            case SmtpStage.Greeting or SmtpStage.Ehlo or SmtpStage.Tls or SmtpStage.Authenticate:
                return Drop(world, context, state, OpeningDropRate);

            case SmtpStage.MailFrom:
                if (Drop(world, context, state, CommandDropRate) is { } droppedAtMail)
                {
                    return droppedAtMail;
                }

                var position = Interlocked.Increment(ref state.MailFroms);
                if (position % StormEvery < StormLength && position > StormLength)
                {
                    world.Count("421 storm reply");
                    return Busy;
                }

                return null;

            case SmtpStage.RcptTo or SmtpStage.Data:
                return Drop(world, context, state, CommandDropRate);

            case SmtpStage.AfterData:
                var messageId = context.Message!.Message.MessageId ?? string.Empty;
                return Roll(messageId, 0, 0) < AfterDataDropRate ? world.DropAfterData(messageId) : null;

            default:
                return null;
        }
    }

    /// <summary>Drops the connection at this stage with the given chance, fixed by the seed, the server's life, the connection and its command count.</summary>
    private SmtpReply? Drop(FleetWorld world, SmtpScriptContext context, FleetServerState state, double rate)
    {
        var command = state.Commands.AddOrUpdate(context.ConnectionId, 1, static (_, n) => n + 1);
        if (Roll($"{state.Index}.{state.Instance}.{context.ConnectionId}", command, (int)context.Stage) >= rate)
        {
            return null;
        }

        world.Count($"dropped at {context.Stage}");
        return SmtpReply.Disconnect;
    }

    private double Roll(string key, int a, int b)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in key)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        var z = hash ^ ((ulong)(uint)seed << 32) ^ ((ulong)(uint)a << 8) ^ (ulong)(uint)b;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (z >> 11) * (1.0 / (1UL << 53));
    }
}
