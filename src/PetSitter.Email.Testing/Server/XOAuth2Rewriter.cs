using System.Buffers;
using System.Text;

namespace PetSitter.Email.Testing;

/// <summary>
/// The client's side of an OAuth2 server's connection, read line by line before SmtpServer sees it. SmtpServer
/// parses only AUTH PLAIN and LOGIN, so <c>AUTH XOAUTH2 &lt;initial response&gt;</c> is handed on as the
/// equivalent <c>AUTH PLAIN</c> (user and token in place of user and password) and the connection remembers
/// that the credential is a token. It also ends a challenge exchange: after a refusal sent as a 334 challenge
/// (Gmail's), the client's answer to it is swallowed here and the final refusal sent in its place.
/// </summary>
/// <remarks>SMTP commands and message lines all end in CRLF, so holding a partial line never stalls a client.</remarks>
internal sealed class XOAuth2Rewriter : Stream
{
    private static readonly byte[] Command = "AUTH XOAUTH2 "u8.ToArray();

    private readonly Stream _inner;
    private readonly ScriptedConnection _connection;
    private readonly byte[] _readBuffer = new byte[8192];
    private readonly ArrayBufferWriter<byte> _line = new(256);
    private readonly ArrayBufferWriter<byte> _ready = new(8192);
    private int _readyOffset;

    public XOAuth2Rewriter(Stream inner, ScriptedConnection connection)
    {
        _inner = inner;
        _connection = connection;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_ready.WrittenCount == _readyOffset)
        {
            _ready.ResetWrittenCount();
            _readyOffset = 0;
            var read = await _inner.ReadAsync(_readBuffer, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                if (_line.WrittenCount == 0)
                {
                    return 0;
                }

                _ready.Write(_line.WrittenSpan);
                _line.ResetWrittenCount();
                break;
            }

            await TakeAsync(read, cancellationToken).ConfigureAwait(false);
        }

        var available = _ready.WrittenMemory[_readyOffset..];
        var count = Math.Min(available.Length, buffer.Length);
        available[..count].CopyTo(buffer);
        _readyOffset += count;
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private async Task TakeAsync(int read, CancellationToken cancellationToken)
    {
        var start = 0;
        for (var i = 0; i < read; i++)
        {
            if (_readBuffer[i] != (byte)'\n')
            {
                continue;
            }

            _line.Write(_readBuffer.AsSpan(start, i + 1 - start));
            start = i + 1;
            await LineAsync(cancellationToken).ConfigureAwait(false);
        }

        _line.Write(_readBuffer.AsSpan(start, read - start));
    }

    private async Task LineAsync(CancellationToken cancellationToken)
    {
        var line = _line.WrittenSpan;
        if (_connection.TakePendingAuthReply() is { } final)
        {
            // The client's answer to a challenge (an empty line for XOAUTH2): the verdict follows it.
            _line.ResetWrittenCount();
            await _connection.WriteAsync(Encoding.ASCII.GetBytes(final.ToWire()), cancellationToken).ConfigureAwait(false);
            return;
        }

        if (line.Length > Command.Length && Ascii.EqualsIgnoreCase(line[..Command.Length], Command) && AsPlain(line[Command.Length..]) is { } plain)
        {
            _connection.MarkAccessTokenAuthentication();
            _ready.Write(plain);
        }
        else
        {
            _ready.Write(line);
        }

        _line.ResetWrittenCount();
    }

    /// <summary>XOAUTH2's <c>user=U^Aauth=Bearer T^A^A</c> as the AUTH PLAIN command for user U and password T.</summary>
    private static byte[]? AsPlain(ReadOnlySpan<byte> argument)
    {
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(Encoding.ASCII.GetString(argument).Trim()));
        }
        catch (FormatException)
        {
            return null;
        }

        string? user = null;
        string? token = null;
        foreach (var part in decoded.Split('\x01', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part.StartsWith("user=", StringComparison.Ordinal))
            {
                user = part["user=".Length..];
            }
            else if (part.StartsWith("auth=Bearer ", StringComparison.OrdinalIgnoreCase))
            {
                token = part["auth=Bearer ".Length..];
            }
        }

        if (user is null || token is null)
        {
            return null;
        }

        var plain = Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{user}\0{token}"));
        return Encoding.ASCII.GetBytes($"AUTH PLAIN {plain}\r\n");
    }
}
