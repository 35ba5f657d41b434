using System.Globalization;
using System.Text;

namespace PetSitter.Email.Testing;

/// <summary>
/// One reply a <see cref="ScriptedSmtpServer"/> sends: a three-digit code and one or more lines of text,
/// or <see cref="Disconnect"/> to close the connection without replying.
/// </summary>
/// <remarks>
/// A reply of several lines goes on the wire as <c>535-first line</c> ... <c>535 last line</c>; MailKit
/// reports such a reply's text as the lines joined with <c>\n</c> (see <see cref="Text"/>). A reply with
/// code 421 closes the connection after it is sent, as RFC 5321 says it does.
/// </remarks>
public sealed class SmtpReply
{
    private SmtpReply(bool isSilence)
    {
        Lines = [];
        IsSilence = isSilence;
    }

    /// <summary>Creates a reply.</summary>
    /// <param name="code">The reply code, 200-599 (for example 535).</param>
    /// <param name="lines">The text of each line without the code, for example <c>5.7.8 Username and Password not accepted.</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="code"/> is outside 200-599.</exception>
    /// <exception cref="ArgumentException">There is no line, or a line holds a line break.</exception>
    public SmtpReply(int code, params string[] lines)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(code, 200);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(code, 599);
        ArgumentNullException.ThrowIfNull(lines);
        if (lines.Length == 0)
        {
            throw new ArgumentException("A reply needs at least one line of text.", nameof(lines));
        }

        foreach (var line in lines)
        {
            ArgumentNullException.ThrowIfNull(line, nameof(lines));
            if (line.Contains('\r', StringComparison.Ordinal) || line.Contains('\n', StringComparison.Ordinal))
            {
                throw new ArgumentException("A line of a reply cannot hold a line break: pass each line separately.", nameof(lines));
            }
        }

        Code = code;
        Lines = [.. lines];
    }

    /// <summary>
    /// Gets the text of a <c>334</c> challenge sent before this reply, at <see cref="SmtpStage.Authenticate"/> only:
    /// the server sends <c>334 </c> and this text, the client answers (an empty line for XOAUTH2), and only then
    /// is this reply sent. Gmail refuses an OAuth2 token this way, with a base64 JSON error as the challenge.
    /// Ignored at other stages. Default: <see langword="null"/> (the reply is sent at once).
    /// </summary>
    /// <exception cref="ArgumentException">The text holds a line break.</exception>
    public string? Challenge
    {
        get;
        init
        {
            if (value is not null && (value.Contains('\r', StringComparison.Ordinal) || value.Contains('\n', StringComparison.Ordinal)))
            {
                throw new ArgumentException("A challenge is one line: it cannot hold a line break.", nameof(value));
            }

            field = value;
        }
    }

    /// <summary>Gets the special reply that closes the connection at once, without sending anything.</summary>
    public static SmtpReply Disconnect { get; } = new(isSilence: false);

    /// <summary>
    /// Gets the special reply that never comes: the server keeps the connection open and says nothing until
    /// the connection is dropped or the server stops, so the client meets its own timeout. At
    /// <see cref="SmtpStage.AfterData"/> the message is recorded first, as with <see cref="Disconnect"/>.
    /// </summary>
    public static SmtpReply Silence { get; } = new(isSilence: true);

    /// <summary>Gets the reply code, for example 535; 0 for <see cref="Disconnect"/> and <see cref="Silence"/>.</summary>
    public int Code { get; }

    /// <summary>Gets the lines of text, each without the code; empty for <see cref="Disconnect"/> and <see cref="Silence"/>.</summary>
    public IReadOnlyList<string> Lines { get; }

    /// <summary>Gets whether this is <see cref="Disconnect"/>: close the connection without replying.</summary>
    public bool IsDisconnect => Code == 0 && !IsSilence;

    /// <summary>Gets whether this is <see cref="Silence"/>: never answer.</summary>
    public bool IsSilence { get; }

    /// <summary>Gets whether the reply is a success (2xx).</summary>
    public bool IsSuccess => Code is >= 200 and < 300;

    /// <summary>
    /// Gets the text as MailKit reports it (<c>SmtpCommandException.Message</c>): the lines joined with
    /// <c>\n</c>, without the code.
    /// </summary>
    public string Text => string.Join('\n', Lines);

    /// <summary>
    /// Reads a reply as it appears in a transcript: <c>550 5.4.5 Daily sending quota exceeded</c>, or several
    /// lines (<c>535-...</c> then <c>535 ...</c>) separated by CRLF or LF.
    /// </summary>
    /// <param name="reply">The reply's text, each line starting with the code.</param>
    /// <returns>The reply.</returns>
    /// <exception cref="FormatException">A line does not start with the same three-digit code followed by a space or a hyphen.</exception>
    public static SmtpReply Parse(string reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        var rawLines = reply.TrimEnd('\r', '\n').Split('\n');
        var lines = new string[rawLines.Length];
        var code = 0;
        for (var i = 0; i < rawLines.Length; i++)
        {
            var line = rawLines[i].TrimEnd('\r');
            var isLast = i == rawLines.Length - 1;
            if (line.Length < 3 || !int.TryParse(line.AsSpan(0, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var lineCode)
                || (code != 0 && lineCode != code)
                || (line.Length > 3 && line[3] != (isLast ? ' ' : '-'))
                || (line.Length == 3 && !isLast))
            {
                throw new FormatException($"'{line}' is not a line of an SMTP reply: expected a three-digit code, then '-' on all lines but the last and ' ' on the last.");
            }

            code = lineCode;
            lines[i] = line.Length > 4 ? line[4..] : string.Empty;
        }

        if (code is < 200 or > 599)
        {
            throw new FormatException($"Reply code {code} is outside 200-599.");
        }

        return new SmtpReply(code, lines);
    }

    /// <summary>The same reply, sent at once (no challenge before it).</summary>
    internal SmtpReply WithoutChallenge() => Challenge is null ? this : new SmtpReply(Code, [.. Lines]);

    /// <summary>Gets the reply as it goes on the wire, lines separated by CRLF, with a final CRLF.</summary>
    internal string ToWire()
    {
        var builder = new StringBuilder();
        for (var i = 0; i < Lines.Count; i++)
        {
            builder.Append(CultureInfo.InvariantCulture, $"{Code}{(i == Lines.Count - 1 ? ' ' : '-')}{Lines[i]}\r\n");
        }

        return builder.ToString();
    }

    /// <summary>Returns the reply as it goes on the wire (lines separated by CRLF), <c>(disconnect)</c> or <c>(silence)</c>.</summary>
    /// <returns>The reply's text.</returns>
    public override string ToString() => IsSilence ? "(silence)" : IsDisconnect ? "(disconnect)" : ToWire().TrimEnd('\r', '\n');
}
