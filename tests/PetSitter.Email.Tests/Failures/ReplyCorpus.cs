using System.Text;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;

namespace PetSitter.Email.Tests.Failures;

/// <summary>One row of <c>Corpus/replies.tsv</c>: a reply a provider documents, where it comes, and what it means.</summary>
public sealed record CorpusReply(
    int Line, string Provider, SmtpStage Stage, int Code, string? Enhanced, string Text,
    SmtpFailureKind Kind, bool? AccountLevel, bool? Transient, string Source)
{
    /// <summary>Gets the reply as the server sends it: code, enhanced code, text.</summary>
    public string Reply => Enhanced is null ? $"{Code} {Text}" : $"{Code} {Enhanced} {Text}";

    /// <summary>Gets the host the owner would have configured for the provider (a self-hosted name otherwise).</summary>
    public string Host => Provider switch
    {
        "Gmail" => "smtp.gmail.com",
        "Microsoft365" => "smtp.office365.com",
        "OutlookCom" => "smtp-mail.outlook.com",
        "Yahoo" => "smtp.mail.yahoo.com",
        "Aol" => "smtp.aol.com",
        "ICloud" => "smtp.mail.me.com",
        "Zoho" => "smtp.zoho.com",
        "Fastmail" => "smtp.fastmail.com",
        "GoDaddy" => "smtpout.secureserver.net",
        "Ionos" => "smtp.ionos.com",
        "Titan" => "smtp.titan.email",
        _ => "mail.pawsandclaws.example",
    };

    public override string ToString() => $"line {Line}, {Provider} at {Stage}: {Reply}";
}

/// <summary>
/// Reads the reply corpus (<c>Failures/Corpus/replies.tsv</c>), and plays a row through MailKit's exceptions and
/// the transport's translation, as a real conversation would raise it.
/// </summary>
public static class ReplyCorpus
{
    private const string Columns = "provider\tstage\tcode\tenhanced\ttext\tkind\taccount_level\ttransient\tsource";

    private static readonly Lazy<IReadOnlyList<CorpusReply>> Loaded = new(Load);

    public static IReadOnlyList<CorpusReply> All => Loaded.Value;

    public static string FilePath => Path.Combine(AppContext.BaseDirectory, "Failures", "Corpus", "replies.tsv");

    /// <summary>
    /// The failure the transport throws for this reply: the server's bytes go through the stage tracker, MailKit's
    /// exception for that command goes through <see cref="SmtpFailureTranslator"/>.
    /// </summary>
    public static SmtpTransportException AsTransportThrowsIt(CorpusReply row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var tracker = new SmtpStageTracker();
        tracker.BeginOperation(SmtpStage.Connect);
        tracker.LogConnect(new Uri("smtp://" + row.Host + ":587"));
        var wire = row.Reply + "\r\n";
        if (row.Stage == SmtpStage.Greeting)
        {
            Server(tracker, wire);
        }
        else
        {
            Server(tracker, "220 ready\r\n");
            switch (row.Stage)
            {
                case SmtpStage.Ehlo:
                    Client(tracker, "EHLO [127.0.0.1]\r\n");
                    Server(tracker, wire);
                    break;
                case SmtpStage.Authenticate:
                    tracker.BeginOperation(SmtpStage.Authenticate);
                    Client(tracker, "AUTH LOGIN\r\n");
                    Server(tracker, wire);
                    break;
                default:
                    tracker.BeginOperation(SmtpStage.MailFrom);
                    Client(tracker, "MAIL FROM:<hello@paws.example>\r\n");
                    if (row.Stage == SmtpStage.MailFrom)
                    {
                        Server(tracker, wire);
                        break;
                    }

                    Server(tracker, "250 2.1.0 Ok\r\n");
                    Client(tracker, "RCPT TO:<client@example.com>\r\n");
                    if (row.Stage == SmtpStage.RcptTo)
                    {
                        Server(tracker, wire);
                        break;
                    }

                    Server(tracker, "250 2.1.5 Ok\r\n");
                    Client(tracker, "DATA\r\n");
                    Server(tracker, "354 End data with <CR><LF>.<CR><LF>\r\n");
                    Client(tracker, "Subject: Visit\r\n\r\nSee you at 9.\r\n.\r\n");
                    Server(tracker, wire);
                    break;
            }
        }

        // MailKit hands the reply on without its code (RFC 5321 lines, code stripped) under the exception it throws for that command.
        var text = row.Enhanced is null ? row.Text : $"{row.Enhanced} {row.Text}";
        var status = (SmtpStatusCode)row.Code;
        Exception mailKit = row.Stage switch
        {
            SmtpStage.Authenticate => new AuthenticationException($"{row.Code}: {text}", new SmtpCommandException(SmtpErrorCode.UnexpectedStatusCode, status, text)),
            SmtpStage.MailFrom or SmtpStage.RcptTo or SmtpStage.Data when row.Code == 530 => new ServiceNotAuthenticatedException(text),
            SmtpStage.MailFrom => new SmtpCommandException(SmtpErrorCode.SenderNotAccepted, status, new MimeKit.MailboxAddress("Paws", "hello@paws.example"), text),
            SmtpStage.RcptTo => new SmtpCommandException(SmtpErrorCode.RecipientNotAccepted, status, new MimeKit.MailboxAddress("Client", "client@example.com"), text),
            SmtpStage.Data => new SmtpCommandException(SmtpErrorCode.MessageNotAccepted, status, text),
            _ => new SmtpCommandException(SmtpErrorCode.UnexpectedStatusCode, status, text),
        };

        return SmtpFailureTranslator.Translate(mailKit, tracker, null, row.Host + ":587", TimeSpan.FromSeconds(30));
    }

    private static void Client(SmtpStageTracker tracker, string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        tracker.LogClient(bytes, 0, bytes.Length);
    }

    private static void Server(SmtpStageTracker tracker, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        tracker.LogServer(bytes, 0, bytes.Length);
    }

    private static List<CorpusReply> Load()
    {
        var rows = new List<CorpusReply>();
        var lines = File.ReadAllLines(FilePath, Encoding.UTF8);
        var header = false;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (!header)
            {
                if (line != Columns)
                {
                    throw new InvalidDataException($"{FilePath}: the first row must be the header \"{Columns}\".");
                }

                header = true;
                continue;
            }

            var cells = line.Split('\t');
            if (cells.Length != 9)
            {
                throw new InvalidDataException($"{FilePath} line {i + 1}: expected 9 tab-separated cells, found {cells.Length}.");
            }

            if (string.IsNullOrWhiteSpace(cells[8]))
            {
                throw new InvalidDataException($"{FilePath} line {i + 1}: every row names its source.");
            }

            rows.Add(new CorpusReply(
                i + 1,
                cells[0],
                Enum.Parse<SmtpStage>(cells[1]),
                int.Parse(cells[2], System.Globalization.CultureInfo.InvariantCulture),
                cells[3].Length == 0 ? null : cells[3],
                cells[4],
                Enum.Parse<SmtpFailureKind>(cells[5]),
                Flag(cells[6]),
                Flag(cells[7]),
                cells[8]));
        }

        return rows;
    }

    private static bool? Flag(string cell) => cell.Length == 0 ? null : bool.Parse(cell);
}
