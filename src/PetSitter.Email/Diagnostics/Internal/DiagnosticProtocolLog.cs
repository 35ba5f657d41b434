using System.Text;
using MailKit;

namespace PetSitter.Email.Diagnostics;

/// <summary>
/// MailKit's protocol logger for a diagnosis: passes everything to the <see cref="SmtpStageTracker"/>
/// (so failures are pinned to a stage exactly as on the sending path) and keeps the server's replies as
/// evidence: the greeting, the EHLO reply, the answers to AUTH and MAIL FROM.
/// </summary>
/// <remarks>
/// Only the server's side is kept, never what the client wrote, so no password can end up here. SASL
/// challenges (334) are skipped: they carry nothing worth showing.
/// </remarks>
internal sealed class DiagnosticProtocolLog : IProtocolLogger
{
    private const int MaxLineLength = 512;
    private const int MaxReplies = 64;

    private readonly StringBuilder _line = new();
    private readonly List<string> _pendingLines = [];
    private readonly List<string> _replies = [];

    public DiagnosticProtocolLog(SmtpStageTracker tracker)
    {
        Tracker = tracker;
    }

    public SmtpStageTracker Tracker { get; }

    /// <inheritdoc />
    public IAuthenticationSecretDetector? AuthenticationSecretDetector
    {
        get => Tracker.AuthenticationSecretDetector;
        set => Tracker.AuthenticationSecretDetector = value;
    }

    /// <summary>Gets every complete reply so far, lines joined with <c>\n</c> as MailKit reports them.</summary>
    public IReadOnlyList<string> Replies => _replies;

    /// <summary>Gets the server's first reply (its greeting), or <see langword="null"/> before it arrived.</summary>
    public string? Greeting => _replies.Count > 0 ? _replies[0] : null;

    /// <summary>Gets the most recent complete reply, or <see langword="null"/>.</summary>
    public string? LastReply => _replies.Count > 0 ? _replies[^1] : null;

    /// <summary>Gets how many complete replies have arrived, to find the ones that follow a point in the conversation.</summary>
    public int ReplyCount => _replies.Count;

    /// <summary>
    /// Returns the last error reply (4xx or 5xx) that arrived after the first <paramref name="count"/> replies,
    /// as MailKit would report it: the code, and the lines' texts without their codes, joined with <c>\n</c>.
    /// </summary>
    public (int Code, string Text)? LastErrorAfter(int count)
    {
        for (var i = _replies.Count - 1; i >= count; i--)
        {
            var reply = _replies[i];
            if (reply.Length >= 3 && reply[0] is '4' or '5' && char.IsAsciiDigit(reply[1]) && char.IsAsciiDigit(reply[2]))
            {
                var code = (reply[0] - '0') * 100 + (reply[1] - '0') * 10 + (reply[2] - '0');
                var text = string.Join('\n', reply.Split('\n').Select(line => line.Length > 4 ? line[4..] : string.Empty));
                return (code, text);
            }
        }

        return null;
    }

    /// <inheritdoc />
    public void LogConnect(Uri uri) => Tracker.LogConnect(uri);

    /// <inheritdoc />
    public void LogClient(byte[] buffer, int offset, int count) => Tracker.LogClient(buffer, offset, count);

    /// <inheritdoc />
    public void LogServer(byte[] buffer, int offset, int count)
    {
        Tracker.LogServer(buffer, offset, count);
        foreach (var b in buffer.AsSpan(offset, count))
        {
            if (b == (byte)'\n')
            {
                EndLine();
            }
            else if (b != (byte)'\r' && _line.Length < MaxLineLength)
            {
                // Replies are ASCII; anything else is shown as '?' rather than decoded.
                _line.Append(b is >= 0x20 and < 0x7F ? (char)b : '?');
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => Tracker.Dispose();

    private void EndLine()
    {
        var line = _line.ToString();
        _line.Clear();
        _pendingLines.Add(line);

        // "250-..." continues a reply; "250 ..." (or a bare code) ends it.
        if (line.Length > 3 && line[3] == '-')
        {
            return;
        }

        var reply = string.Join('\n', _pendingLines);
        _pendingLines.Clear();
        if (reply.StartsWith("334", StringComparison.Ordinal) || _replies.Count >= MaxReplies)
        {
            return;
        }

        _replies.Add(reply);
    }
}
