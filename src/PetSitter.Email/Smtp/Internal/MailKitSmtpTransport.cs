using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace PetSitter.Email.Smtp;

/// <summary>
/// The library's <see cref="ISmtpTransport"/>: MailKit with connections pooled per account, reused
/// across sends, capped (Microsoft 365 allows 3 per mailbox), closed when idle, and replaced once,
/// transparently, when the server had closed a pooled one before the message was accepted.
/// </summary>
/// <remarks>
/// <para>One pool per mailbox (host, port, user name). Its key also holds the security mode, a
/// fingerprint of the credentials, the plain-auth permission, the extra trusted authorities and the
/// cap: when any of them changes (a new password) the old pool is retired and its connections closed.</para>
/// <para>The caller's message is never touched: MailKit prepares what it sends in place, so it sends a copy
/// (of the headers only when no body part needs re-encoding, see <see cref="MessageCopy.ForSending"/>).</para>
/// </remarks>
internal sealed class MailKitSmtpTransport : ISmtpTransport, IGatedSmtpTransport, IAsyncDisposable, IDisposable
{
    private readonly ConcurrentDictionary<SmtpMailboxIdentity, AccountPool> _pools = new();
    private readonly ConditionalWeakTable<SmtpAccountSettings, SendTarget> _targets = new();

    // Host and port of every server that accepted a connection: one of them refusing later is restarting, not
    // a wrong port. Bounded by the distinct servers the app's accounts name.
    private readonly ConcurrentDictionary<string, byte> _answeredEndpoints = new(StringComparer.OrdinalIgnoreCase);
    private readonly SmtpTransportOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<MailKitSmtpTransport> _logger;
    private readonly object _sweepGate = new();
    private DateTimeOffset _lastSweep;
    private Task _sweep = Task.CompletedTask;
    private volatile bool _disposed;

    public MailKitSmtpTransport(IOptions<SmtpTransportOptions> options, TimeProvider timeProvider, ILogger<MailKitSmtpTransport> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _time = timeProvider;
        _logger = logger;
        _lastSweep = timeProvider.GetUtcNow();
    }

    public Task<DeliveryReceipt> SendAsync(SmtpAccountSettings account, MimeMessage message, CancellationToken cancellationToken) =>
        SendGatedAsync(account, message, gate: null, cancellationToken).AsTask();

    /// <summary>
    /// Sends, passing <paramref name="gate"/> once the rented connection is connected and signed in, right before
    /// MAIL FROM: connect, TLS and sign-in take no share of a send window, and a connection that had to be
    /// replaced passes the gate again (its MAIL FROM may have reached the server, which counts it).
    /// </summary>
    public ValueTask<DeliveryReceipt> SendAsync(SmtpAccountSettings account, MimeMessage message, ISmtpSendGate gate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(gate);
        return SendGatedAsync(account, message, gate, cancellationToken);
    }

    // Pooled: the channel awaits it once per attempt; its box was one of the per-message allocations issue 16 counts.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<DeliveryReceipt> SendGatedAsync(SmtpAccountSettings account, MimeMessage message, ISmtpSendGate? gate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(message);
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();

        var target = TargetOf(account);
        var endpoint = target.Endpoint;
        if (SmtpSecurityMapping.RefusesPlainAuthentication(account))
        {
            // Refused before connecting: not a byte of the password, nor even an AUTH command, is sent.
            throw SmtpSecurityMapping.PlainAuthenticationRefused(endpoint);
        }

        var recipients = EnvelopeRecipients(message);
        if (recipients.Count == 0)
        {
            throw new ArgumentException("The message has no recipients: add at least one address to To, Cc or Bcc.", nameof(message));
        }

        var copy = MessageCopy.ForSending(message, cancellationToken);
        try
        {
            return await SendOnPoolAsync(account, target.Key, endpoint, copy, target.Sender, recipients, gate, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            SweepIfDue();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Task sweep;
        lock (_sweepGate)
        {
            sweep = _sweep;
        }

        await sweep.ConfigureAwait(false);
        foreach (var pool in _pools.Values)
        {
            await pool.Pool.RetireAsync().ConfigureAwait(false);
        }

        _pools.Clear();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Gets the current pool of a mailbox, for tests and diagnostics.</summary>
    internal SmtpConnectionPool<SmtpConnection>? PoolOf(SmtpAccountSettings account) =>
        _pools.TryGetValue(SmtpPoolKey.For(account, _options.MaxConnectionsPerAccount).Mailbox, out var entry) ? entry.Pool : null;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<DeliveryReceipt> SendOnPoolAsync(SmtpAccountSettings account, SmtpPoolKey key, string endpoint, MimeMessage copy, MailboxAddress sender, IReadOnlyList<MailboxAddress> recipients, ISmtpSendGate? gate, CancellationToken cancellationToken)
    {
        var replaceStale = false;
        while (true)
        {
            var pool = await GetPoolAsync(account, key).ConfigureAwait(false);
            SmtpConnectionLease<SmtpConnection>? lease;
            try
            {
                lease = await pool.RentAsync(replaceStale, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // No inner exception on purpose: this is local congestion, not a server that did not
                // answer, and must not read as a connect timeout (which points at the settings).
                throw new SmtpTransportException(
                    SmtpStage.Connect,
                    null,
                    $"No connection to {endpoint} became free within {_options.ConnectionWaitTimeout.TotalSeconds:0.#} s: all {pool.Capacity} allowed connections were busy.");
            }

            if (lease is not { } rented)
            {
                // The pool was retired while we asked (settings changed or it was unused): use the current one.
                continue;
            }

            var connection = rented.Connection;
            if (rented.Reused)
            {
                SmtpTransportLog.ConnectionReused(_logger, connection.Id, endpoint, connection.Sends + 1);
            }

            var reusable = false;
            try
            {
                if (gate is not null)
                {
                    // Nothing is written while the gate decides: whatever it says, the connection stays as good as it was.
                    reusable = true;
                    await gate.EnterAsync(cancellationToken).ConfigureAwait(false);
                    reusable = false;
                }

                var reply = await connection.SendAsync(copy, sender, recipients, cancellationToken).ConfigureAwait(false);
                reusable = true;
                return new DeliveryReceipt(endpoint, reply);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (SmtpSendGateClosedException)
            {
                throw;
            }
            catch (Exception ex) when (!replaceStale && rented.Reused && ClosedBeforeAcceptance(ex, connection.Tracker))
            {
                SmtpTransportLog.ReplacingClosedConnection(_logger, connection.Id, endpoint);
                replaceStale = true;
            }
            catch (Exception ex)
            {
                // After a refused command MailKit resets the transaction and stays connected: keep the connection.
                // So is a connection on which the library itself refused the message before MAIL FROM.
                reusable = ex is MailKit.Net.Smtp.SmtpCommandException or SmtpTransportException { InnerException: SmtpMessageRefusedException } && connection.IsConnected;
                var failure = SmtpFailureTranslator.Translate(ex, connection.Tracker, connection.Certificates, endpoint, _options.Timeout);
                SmtpTransportLog.SendFailed(_logger, endpoint, failure.Stage, failure.StatusCode);
                throw failure;
            }
            finally
            {
                await pool.ReturnAsync(connection, reusable && connection.IsConnected).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Whether a reused connection failed because the server had closed it, before any part of this
    /// message could have been accepted: nothing answered in this send (or the first answer was a
    /// 421 "closing" to MAIL FROM), so sending again on a new connection cannot duplicate it.
    /// </summary>
    private static bool ClosedBeforeAcceptance(Exception exception, SmtpStageTracker tracker)
    {
        if (tracker.EndOfDataWritten)
        {
            return false;
        }

        return exception switch
        {
            MailKit.Net.Smtp.SmtpCommandException { StatusCode: MailKit.Net.Smtp.SmtpStatusCode.ServiceNotAvailable } =>
                tracker.FirstErrorReply is { Stage: SmtpStage.MailFrom, Code: 421 } && tracker.RepliesInOperation <= 1,
            MailKit.Net.Smtp.SmtpProtocolException or IOException or System.Net.Sockets.SocketException or MailKit.ServiceNotConnectedException => tracker.RepliesInOperation == 0,
            _ => false,
        };
    }

    private async ValueTask<SmtpConnectionPool<SmtpConnection>> GetPoolAsync(SmtpAccountSettings account, SmtpPoolKey key)
    {
        var mailbox = key.Mailbox;
        while (true)
        {
            if (_pools.TryGetValue(mailbox, out var current))
            {
                if (current.Key == key && !current.Pool.IsRetired)
                {
                    return current.Pool;
                }

                var replacement = CreatePool(account, key);
                if (_pools.TryUpdate(mailbox, replacement, current))
                {
                    if (current.Key != key)
                    {
                        SmtpTransportLog.PoolReplaced(_logger, key.Host, key.Port);
                    }

                    await current.Pool.RetireAsync().ConfigureAwait(false);
                    return replacement.Pool;
                }

                continue;
            }

            var created = CreatePool(account, key);
            if (_pools.TryAdd(mailbox, created))
            {
                return created.Pool;
            }
        }
    }

    private AccountPool CreatePool(SmtpAccountSettings account, SmtpPoolKey key)
    {
        var pool = new SmtpConnectionPool<SmtpConnection>(
            key.MaxConnections,
            _options.ConnectionIdleTimeout,
            _options.ConnectionWaitTimeout,
            _time,
            cancellationToken => OpenAsync(account, cancellationToken));
        return new AccountPool(key, pool);
    }

    private async Task<SmtpConnection> OpenAsync(SmtpAccountSettings account, CancellationToken cancellationToken)
    {
        var endpoint = TargetOf(account).Endpoint;
        try
        {
            var connection = await SmtpConnection.OpenAsync(account, _options.Timeout, _time, _logger, cancellationToken).ConfigureAwait(false);
            _answeredEndpoints.TryAdd(endpoint, 0);
            return connection;
        }
        catch (SmtpTransportException ex) when (ex is { Stage: SmtpStage.Connect, InnerException: SocketException { SocketErrorCode: SocketError.ConnectionRefused } }
            && _answeredEndpoints.ContainsKey(endpoint))
        {
            throw new SmtpTransportException(
                SmtpStage.Connect,
                null,
                $"{ex.Reply} {endpoint} accepted connections earlier, so it is probably restarting.",
                new SmtpServerRestartingException($"{endpoint} refused a connection after accepting one earlier.", ex.InnerException));
        }
    }

    /// <summary>
    /// At most once per idle timeout, closes every pool's expired idle connections and forgets pools
    /// left empty, in the background, so a mailbox that stopped sending does not keep sockets open.
    /// </summary>
    private void SweepIfDue()
    {
        lock (_sweepGate)
        {
            var now = _time.GetUtcNow();
            if (_disposed || !_sweep.IsCompleted || now - _lastSweep < _options.ConnectionIdleTimeout)
            {
                return;
            }

            _lastSweep = now;
            _sweep = Task.Run(SweepAsync);
        }
    }

    private async Task SweepAsync()
    {
        foreach (var (mailbox, entry) in _pools)
        {
            await entry.Pool.SweepAsync().ConfigureAwait(false);
            if (entry.Pool.TryRetireIfUnused())
            {
                _pools.TryRemove(KeyValuePair.Create(mailbox, entry));
            }
        }
    }

    /// <summary>
    /// What a send to this account needs that depends only on its settings, made once per settings instance
    /// (settings are immutable once built) instead of on every send: the pool key hashes the trusted authorities.
    /// </summary>
    private SendTarget TargetOf(SmtpAccountSettings account) =>
        _targets.GetValue(account, settings => new SendTarget(
            $"{settings.Host}:{settings.Port}",
            new MailboxAddress(string.Empty, settings.FromAddress),
            SmtpPoolKey.For(settings, _options.MaxConnectionsPerAccount)));

    /// <summary>The envelope's recipients: every mailbox of To, Cc and Bcc (group members included), each address once.</summary>
    private static List<MailboxAddress> EnvelopeRecipients(MimeMessage message)
    {
        var recipients = new List<MailboxAddress>(MessageRecipients.Count(message));
        AddUnique(recipients, message.To);
        AddUnique(recipients, message.Cc);
        AddUnique(recipients, message.Bcc);
        return recipients;
    }

    private static void AddUnique(List<MailboxAddress> recipients, InternetAddressList addresses)
    {
        foreach (var mailbox in addresses.Mailboxes)
        {
            // A linear scan: a message has a handful of recipients, and a set would cost more than it saves.
            if (!Contains(recipients, mailbox.Address))
            {
                recipients.Add(mailbox);
            }
        }
    }

    private static bool Contains(List<MailboxAddress> recipients, string address)
    {
        foreach (var known in recipients)
        {
            if (string.Equals(known.Address, address, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private sealed record AccountPool(SmtpPoolKey Key, SmtpConnectionPool<SmtpConnection> Pool);

    private sealed record SendTarget(string Endpoint, MailboxAddress Sender, SmtpPoolKey Key);
}
