using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;

namespace PetSitter.Email.Testing;

/// <summary>
/// The server's output: collects what SmtpServer writes for one command and sends it on flush, unless a
/// hook queued a scripted reply for this command, which is sent instead. This is how exact provider texts
/// reach the client: SmtpServer's own replies ("550 mailbox unavailable", "535 authentication failed, 2
/// attempt(s) remaining.") cannot be worded by its extension points.
/// </summary>
internal sealed class ReplyWriter : PipeWriter
{
    private readonly Stream _stream;
    private readonly ScriptedConnection _connection;
    private readonly ArrayBufferWriter<byte> _buffer = new(512);

    public ReplyWriter(Stream stream, ScriptedConnection connection)
    {
        _stream = stream;
        _connection = connection;
    }

    public override void Advance(int bytes) => _buffer.Advance(bytes);

    public override Memory<byte> GetMemory(int sizeHint = 0) => _buffer.GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => _buffer.GetSpan(sizeHint);

    public override void CancelPendingFlush()
    {
        // Flushes complete as soon as the socket takes the bytes: nothing to cancel.
    }

    public override void Complete(Exception? exception = null) => _buffer.Clear();

    public override async ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        var scripted = _connection.TakeScriptedReply();
        var delay = _connection.TakeReplyDelay();
        try
        {
            if (delay > TimeSpan.Zero)
            {
                // A distant provider's answer: only this connection waits. Latency on the wire is real time,
                // whatever clock the client under test runs on.
                await Task.Delay(delay, TimeProvider.System, cancellationToken).ConfigureAwait(false);
            }

            if (_connection.IsDropped)
            {
                return new FlushResult(isCanceled: false, isCompleted: true);
            }

            if (scripted is { Reply.IsSilence: true })
            {
                // Hold this command's reply until the connection goes: the client waits into its timeout.
                await _connection.Dropped.WaitAsync(cancellationToken).ConfigureAwait(false);
                return new FlushResult(isCanceled: false, isCompleted: true);
            }

            ReadOnlyMemory<byte> payload = scripted is null ? _buffer.WrittenMemory : Encoding.ASCII.GetBytes(scripted.Value.Reply.ToWire());
            if (scripted?.Reply.Challenge is { } challenge)
            {
                // Set before the challenge goes out, so the client's answer cannot arrive first.
                _connection.SetPendingAuthReply(scripted.Value.Reply);
                payload = Encoding.ASCII.GetBytes($"334 {challenge}\r\n");
            }

            if (!payload.IsEmpty)
            {
                await _stream.WriteAsync(payload, cancellationToken).ConfigureAwait(false);
                await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (_connection.IsDropped && exception is IOException or SocketException or ObjectDisposedException)
        {
            // The connection was dropped (by a script or by shutdown) while writing: the reply is meant to be lost.
        }
        finally
        {
            _buffer.Clear();
        }

        if (scripted is { CloseAfter: true })
        {
            _connection.Drop();
        }

        return new FlushResult(isCanceled: false, isCompleted: _connection.IsDropped);
    }
}
