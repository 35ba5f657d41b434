using MailKit;

namespace PetSitter.Email.Smtp;

/// <summary>
/// Follows one SMTP conversation through MailKit's protocol-logger hooks so a failure can be pinned
/// to the command the server was answering (or the client was writing) when it happened.
/// </summary>
/// <remarks>
/// It keeps little text: the verb of each client command (at most eight letters, and none at all
/// while an AUTH exchange is under way, so SASL responses are never looked at), the three-digit code
/// of each server reply, and the first line of the server's greeting and of its EHLO reply (the
/// server's own name and banner, sent before any sign-in), from which the provider can be recognised.
/// MailKit logs client bytes after they were written to the network, so seeing the end of the message
/// here means it was handed to the server.
/// </remarks>
internal sealed class SmtpStageTracker : IProtocolLogger
{
    private const int MaxVerbLength = 8;
    private const int MaxBdatArgumentLength = 40;
    private const int MaxBannerLength = 160;
    private const int MaxSpareCommands = 8;
    private static readonly byte[] EndOfData = "\r\n.\r\n"u8.ToArray();

    private readonly Queue<PendingCommand> _pending = new();

    // Answered commands, kept for the next ones: a connection sends four or five per message (issue 16's allocations).
    private readonly Stack<PendingCommand> _spare = new();
    private readonly char[] _verb = new char[MaxVerbLength];
    private readonly char[] _bdatArguments = new char[MaxBdatArgumentLength];
    private readonly char[] _bannerLine = new char[MaxBannerLength];

    private SmtpStage _phaseDefault = SmtpStage.Connect;
    private SmtpStage? _lastCommand;
    private bool _connected;
    private bool _authExchange;
    private volatile bool _endOfDataWritten;

    private ClientMode _clientMode;
    private int _verbLength;
    private bool _verbDone;
    private int _bdatArgumentLength;
    private int _endOfDataMatched;
    private long _chunkRemaining;
    private bool _chunkIsLast;
    private PendingCommand? _chunkCommand;

    private int _replyDigits;
    private int _replyCode;
    private bool _replySeparatorSeen;
    private bool _replyIsContinuation;
    private bool _replyMalformed;
    private int _bannerLength;
    private bool _bannerLineDone;
    private string? _greeting;
    private string? _ehlo;

    private enum ClientMode
    {
        Commands,
        MessageBody,
        BinaryChunk,
    }

    /// <inheritdoc />
    public IAuthenticationSecretDetector? AuthenticationSecretDetector { get; set; }

    /// <summary>Gets whether the end of the message has been written to the server in the current operation.</summary>
    public bool EndOfDataWritten => _endOfDataWritten;

    /// <summary>Gets how many complete server replies arrived since the current operation began.</summary>
    public int RepliesInOperation { get; private set; }

    /// <summary>Gets the stage and code of the first error reply (4xx/5xx) of the current operation, if any.</summary>
    public (SmtpStage Stage, int Code)? FirstErrorReply { get; private set; }

    /// <summary>
    /// Gets the first line of the server's greeting and of its last EHLO reply (for example
    /// <c>220 smtp.gmail.com ESMTP ... - gsmtp</c>), joined by a line break, or <see langword="null"/>
    /// before the server greeted. Kept for the life of the connection: a later failure is read with it.
    /// </summary>
    public string? ServerBanner => _greeting is null ? _ehlo : _ehlo is null ? _greeting : $"{_greeting}\n{_ehlo}";

    /// <summary>Gets whether the TCP (and, for implicit TLS, TLS) connection was established.</summary>
    public bool Connected => _connected;

    /// <summary>
    /// Gets the stage the conversation is at: the oldest command still waiting for its reply, else the
    /// message being streamed, else the last command written, else where the current operation starts.
    /// </summary>
    public SmtpStage CurrentStage
    {
        get
        {
            if (!_connected)
            {
                return _phaseDefault;
            }

            foreach (var pending in _pending)
            {
                if (pending.Stage is { } stage)
                {
                    return stage;
                }
            }

            if (_clientMode != ClientMode.Commands)
            {
                return SmtpStage.Data;
            }

            return _lastCommand ?? _phaseDefault;
        }
    }

    /// <summary>Starts tracking a new operation (connect, authenticate or send) on this connection.</summary>
    /// <param name="stage">Where the operation starts: Connect, Authenticate or MailFrom.</param>
    public void BeginOperation(SmtpStage stage)
    {
        _phaseDefault = stage;
        _lastCommand = null;
        _endOfDataWritten = false;
        RepliesInOperation = 0;
        FirstErrorReply = null;
        _pending.Clear();
        _clientMode = ClientMode.Commands;
        ResetClientLine();
        ResetReplyLine();
        if (stage == SmtpStage.Connect)
        {
            _connected = false;
            _authExchange = false;
            _greeting = null;
            _ehlo = null;
        }
    }

    /// <inheritdoc />
    public void LogConnect(Uri uri)
    {
        _connected = true;
        _pending.Enqueue(Command(SmtpStage.Greeting, isDataCommand: false));
    }

    /// <inheritdoc />
    public void LogClient(byte[] buffer, int offset, int count) => OnClientBytes(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public void LogServer(byte[] buffer, int offset, int count) => OnServerBytes(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public void Dispose()
    {
        // Nothing to release: the tracker holds no resources.
    }

    internal void OnClientBytes(ReadOnlySpan<byte> bytes)
    {
        var index = 0;
        while (index < bytes.Length)
        {
            switch (_clientMode)
            {
                case ClientMode.MessageBody:
                    index += ScanMessageBody(bytes[index..]);
                    break;
                case ClientMode.BinaryChunk:
                    index += SkipChunk(bytes[index..]);
                    break;
                default:
                    OnCommandByte(bytes[index++]);
                    break;
            }
        }
    }

    internal void OnServerBytes(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            if (b == (byte)'\n')
            {
                if (!_replyMalformed && _replyDigits == 3 && !_replyIsContinuation)
                {
                    OnReply(_replyCode);
                }

                _bannerLineDone |= _bannerLength > 0;
                ResetReplyLine();
                continue;
            }

            if (!_bannerLineDone && _bannerLength < MaxBannerLength && b != (byte)'\r' && AwaitingBanner())
            {
                _bannerLine[_bannerLength++] = b is >= 0x20 and < 0x7F ? (char)b : '?';
            }

            if (_replyMalformed)
            {
                continue;
            }

            if (_replyDigits < 3)
            {
                if (b is >= (byte)'0' and <= (byte)'9')
                {
                    _replyCode = (_replyCode * 10) + (b - '0');
                    _replyDigits++;
                }
                else
                {
                    _replyMalformed = true;
                }
            }
            else if (!_replySeparatorSeen)
            {
                _replySeparatorSeen = true;
                _replyIsContinuation = b == (byte)'-';
            }
        }
    }

    private int ScanMessageBody(ReadOnlySpan<byte> bytes)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            var b = bytes[i];
            if (b == EndOfData[_endOfDataMatched])
            {
                _endOfDataMatched++;
            }
            else
            {
                // The only prefixes of CRLF.CRLF that can restart the match are CR and CRLF.
                _endOfDataMatched = b == (byte)'\r' ? 1 : 0;
            }

            if (_endOfDataMatched == EndOfData.Length)
            {
                _clientMode = ClientMode.Commands;
                _endOfDataWritten = true;
                _pending.Enqueue(Command(SmtpStage.AfterData, isDataCommand: false));
                return i + 1;
            }
        }

        return bytes.Length;
    }

    private int SkipChunk(ReadOnlySpan<byte> bytes)
    {
        var take = (int)Math.Min(_chunkRemaining, bytes.Length);
        _chunkRemaining -= take;
        if (_chunkRemaining == 0)
        {
            FinishChunk();
        }

        return take;
    }

    private void FinishChunk()
    {
        _clientMode = ClientMode.Commands;
        if (_chunkIsLast)
        {
            _chunkCommand?.Stage = SmtpStage.AfterData;
            _endOfDataWritten = true;
        }

        _chunkCommand = null;
    }

    private void OnCommandByte(byte b)
    {
        if (b == (byte)'\n')
        {
            EndCommandLine();
            return;
        }

        if (_authExchange)
        {
            // A SASL response: not even its first letters are looked at.
            return;
        }

        if (!_verbDone)
        {
            if (char.IsAsciiLetter((char)b) && _verbLength < MaxVerbLength)
            {
                _verb[_verbLength++] = char.ToUpperInvariant((char)b);
            }
            else
            {
                _verbDone = true;
            }
        }
        else if (IsVerb("BDAT") && _bdatArgumentLength < MaxBdatArgumentLength && b != (byte)'\r')
        {
            _bdatArguments[_bdatArgumentLength++] = (char)b;
        }
    }

    private void EndCommandLine()
    {
        SmtpStage? stage;
        var isData = false;
        if (_authExchange)
        {
            stage = SmtpStage.Authenticate;
        }
        else
        {
            stage = StageOfVerb(_verb.AsSpan(0, _verbLength));
            isData = IsVerb("DATA");
        }

        var command = Command(stage, isData);
        _pending.Enqueue(command);
        if (stage is not null)
        {
            _lastCommand = stage;
        }

        if (!_authExchange && IsVerb("BDAT"))
        {
            StartChunk(command);
        }

        ResetClientLine();
    }

    private void StartChunk(PendingCommand command)
    {
        var arguments = _bdatArguments.AsSpan(0, _bdatArgumentLength).Trim();
        var space = arguments.IndexOf(' ');
        var sizeText = space < 0 ? arguments : arguments[..space];
        var rest = space < 0 ? [] : arguments[(space + 1)..].Trim();
        if (!long.TryParse(sizeText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var size))
        {
            return;
        }

        _chunkIsLast = rest.Equals("LAST", StringComparison.OrdinalIgnoreCase);
        _chunkCommand = command;
        _chunkRemaining = size;
        _clientMode = ClientMode.BinaryChunk;
        if (size == 0)
        {
            FinishChunk();
        }
    }

    private void OnReply(int code)
    {
        RepliesInOperation++;
        var command = _pending.Count > 0 ? _pending.Dequeue() : null;
        var stage = command?.Stage ?? _lastCommand ?? _phaseDefault;
        KeepBanner(command?.Stage, code);
        if (code >= 400 && FirstErrorReply is null)
        {
            FirstErrorReply = (stage, code);
        }

        if (command?.Stage == SmtpStage.Authenticate)
        {
            _authExchange = code == 334;
        }

        if (command is { IsDataCommand: true } && code == 354)
        {
            _clientMode = ClientMode.MessageBody;

            // The message starts at the beginning of a line, as if just after a CRLF.
            _endOfDataMatched = 2;
        }

        if (command is not null && !ReferenceEquals(command, _chunkCommand) && _spare.Count < MaxSpareCommands)
        {
            _spare.Push(command);
        }
    }

    private PendingCommand Command(SmtpStage? stage, bool isDataCommand)
    {
        if (_spare.TryPop(out var command))
        {
            command.Stage = stage;
            command.IsDataCommand = isDataCommand;
            return command;
        }

        return new PendingCommand(stage, isDataCommand);
    }

    /// <summary>Only the replies to the connection and to EHLO are kept: never one to AUTH or to the message.</summary>
    private bool AwaitingBanner() =>
        !_authExchange && _pending.TryPeek(out var next) && next.Stage is SmtpStage.Greeting or SmtpStage.Ehlo && _clientMode == ClientMode.Commands;

    private void KeepBanner(SmtpStage? stage, int code)
    {
        if (_bannerLength > 0 && code is >= 200 and < 300)
        {
            var line = new string(_bannerLine, 0, _bannerLength);
            if (stage == SmtpStage.Greeting)
            {
                _greeting = line;
            }
            else if (stage == SmtpStage.Ehlo && code == 250)
            {
                _ehlo = line;
            }
        }

        _bannerLength = 0;
        _bannerLineDone = false;
    }

    private static SmtpStage? StageOfVerb(ReadOnlySpan<char> verb) => verb switch
    {
        "EHLO" or "HELO" or "STARTTLS" => SmtpStage.Ehlo,
        "AUTH" => SmtpStage.Authenticate,
        "MAIL" => SmtpStage.MailFrom,
        "RCPT" => SmtpStage.RcptTo,
        "DATA" or "BDAT" => SmtpStage.Data,
        _ => null,
    };

    private bool IsVerb(string verb) => _verb.AsSpan(0, _verbLength).SequenceEqual(verb);

    private void ResetClientLine()
    {
        _verbLength = 0;
        _verbDone = false;
        _bdatArgumentLength = 0;
    }

    private void ResetReplyLine()
    {
        _replyDigits = 0;
        _replyCode = 0;
        _replySeparatorSeen = false;
        _replyIsContinuation = false;
        _replyMalformed = false;
    }

    private sealed class PendingCommand(SmtpStage? stage, bool isDataCommand)
    {
        public SmtpStage? Stage { get; set; } = stage;

        public bool IsDataCommand { get; set; } = isDataCommand;
    }
}
