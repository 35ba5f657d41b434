using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Authentication;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Logging;
using MimeKit;

namespace PetSitter.Email.Smtp;

/// <summary>
/// One MailKit <see cref="SmtpClient"/> connected (and signed in) to an account's server, with the
/// tracker that follows its conversation and the validator that judged its certificate.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001:Types that own disposable fields should be disposable", Justification = "CloseAsync and Abort end every connection; both dispose the send source with the client.")]
internal sealed class SmtpConnection : IPooledSmtpConnection
{
    /// <summary>The only TLS versions any SMTP client of the library negotiates: older ones are broken and providers have dropped them.</summary>
    internal const SslProtocols AllowedTlsProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    private static readonly TimeSpan QuitTimeout = TimeSpan.FromSeconds(5);
    private static long _lastId;

    private readonly SmtpClient _client;
    private readonly ILogger _logger;
    private int _closed;
    private CancellationTokenSource? _send;

    private SmtpConnection(SmtpClient client, SmtpStageTracker tracker, SmtpCertificateValidator certificates, string endpoint, ILogger logger)
    {
        _client = client;
        Tracker = tracker;
        Certificates = certificates;
        Endpoint = endpoint;
        _logger = logger;
        Id = Interlocked.Increment(ref _lastId);
    }

    public long Id { get; }

    public string Endpoint { get; }

    public SmtpStageTracker Tracker { get; }

    public SmtpCertificateValidator Certificates { get; }

    /// <summary>Gets how many sends were started on this connection.</summary>
    public int Sends { get; private set; }

    public bool IsConnected => _client.IsConnected;

    public DateTimeOffset LastUsed { get; set; }

    /// <summary>Connects, secures and signs in.</summary>
    /// <exception cref="SmtpTransportException">Any failure, with its stage.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<SmtpConnection> OpenAsync(SmtpAccountSettings account, TimeSpan timeout, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        var endpoint = $"{account.Host}:{account.Port}";
        var tracker = new SmtpStageTracker();
        var certificates = new SmtpCertificateValidator(account.Host, account.TrustedCertificateAuthorities);
        var client = new SmtpClient(tracker)
        {
            Timeout = (int)Math.Min(int.MaxValue, timeout.TotalMilliseconds),
            SslProtocols = AllowedTlsProtocols,
            ServerCertificateValidationCallback = certificates.Validate,
        };

        var connection = new SmtpConnection(client, tracker, certificates, endpoint, logger);
        try
        {
            tracker.BeginOperation(SmtpStage.Connect);
            await client.ConnectAsync(account.Host, account.Port, SmtpSecurityMapping.ToSocketOptions(account), cancellationToken).ConfigureAwait(false);
            if (!string.IsNullOrEmpty(account.UserName))
            {
                if (!client.IsSecure && !account.AllowAuthenticationWithoutTls)
                {
                    throw SmtpSecurityMapping.PlainAuthenticationRefused(endpoint);
                }

                tracker.BeginOperation(SmtpStage.Authenticate);
                await SmtpSignIn.AuthenticateAsync(client, account, tracker, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            await connection.CloseAsync(SmtpConnectionCloseReason.Broken).ConfigureAwait(false);
            if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            var failure = SmtpSecretScrubber.Scrub(SmtpFailureTranslator.Translate(ex, tracker, certificates, endpoint, timeout), account.Password);
            SmtpTransportLog.OpenFailed(logger, endpoint, failure.Stage, failure.StatusCode);
            throw failure;
        }

        connection.LastUsed = time.GetUtcNow();
        SmtpTransportLog.ConnectionOpened(logger, connection.Id, endpoint, account.EffectiveSecurity, client.IsSecure);
        return connection;
    }

    /// <summary>
    /// MailKit tries every offered mechanism in turn, so a wrong password offered PLAIN and LOGIN would
    /// cost two failed sign-ins; providers lock mailboxes after a few. Keep exactly one password mechanism.
    /// </summary>
    internal static void UseOneMechanism(HashSet<string> offered)
    {
        string[] preferred = ["PLAIN", "LOGIN"];
        var chosen = preferred.FirstOrDefault(offered.Contains);
        if (chosen is null)
        {
            return;
        }

        offered.RemoveWhere(mechanism => !string.Equals(mechanism, chosen, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// Sends the (already copied) message. Once the end of the message is on the wire, cancellation no
    /// longer interrupts the wait for the server's verdict (bounded by the timeout), so the outcome is
    /// known rather than uncertain.
    /// </summary>
    /// <returns>The server's final reply.</returns>
    /// <exception cref="SmtpTransportException">The server refused, the connection failed, or the server announced it cannot take this message (see <see cref="EnsureServerCanTake"/>).</exception>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<string> SendAsync(MimeMessage message, MailboxAddress sender, IReadOnlyList<MailboxAddress> recipients, CancellationToken cancellationToken)
    {
        EnsureServerCanTake(message, recipients, _client.Capabilities, _client.MaxSize, Endpoint);
        Sends++;
        Tracker.BeginOperation(SmtpStage.MailFrom);
        if (!cancellationToken.CanBeCanceled)
        {
            return await _client.SendAsync(message, sender, recipients, CancellationToken.None).ConfigureAwait(false);
        }

        // One source per connection, reset for each send (sends on a connection never overlap): a source and a
        // boxed state per message were a measurable share of the end-to-end allocations (issue 16).
        var send = RentSendSource();
        using var registration = cancellationToken.UnsafeRegister(
            static state =>
            {
                var connection = (SmtpConnection)state!;
                if (!connection.Tracker.EndOfDataWritten)
                {
                    connection._send?.Cancel();
                }
            },
            this);
        try
        {
            return await _client.SendAsync(message, sender, recipients, send.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("The SMTP send was cancelled.", null, cancellationToken);
        }
    }

    private CancellationTokenSource RentSendSource()
    {
        if (_send is { } reusable && reusable.TryReset())
        {
            return reusable;
        }

        // A cancelled source cannot be reset: the connection is usually dropped after it, but a fresh one is cheap.
        _send?.Dispose();
        _send = new CancellationTokenSource();
        return _send;
    }

    /// <summary>
    /// Refuses, before MAIL FROM, a message the server said in its EHLO reply it cannot take, rather than
    /// leaving it to the server's verdict: without SMTPUTF8, MailKit sends a non-ASCII mailbox name as it is
    /// (a strict server refuses it, a lax one may mangle it); over the announced SIZE, MailKit declares the
    /// size in MAIL FROM but many servers accept it and refuse only after the whole message was uploaded.
    /// </summary>
    /// <exception cref="SmtpTransportException">With an inner <see cref="SmtpMessageRefusedException"/> naming the address or the sizes.</exception>
    internal static void EnsureServerCanTake(MimeMessage message, IReadOnlyList<MailboxAddress> recipients, SmtpCapabilities capabilities, uint maxSize, string endpoint)
    {
        var utf8 = capabilities.HasFlag(SmtpCapabilities.UTF8);
        if (!utf8)
        {
            foreach (var recipient in recipients)
            {
                // A non-ASCII domain alone is fine: MailKit sends it in its ASCII (punycode) form.
                var address = recipient.Address;
                var at = address.LastIndexOf('@');
                if (!System.Text.Ascii.IsValid(at < 0 ? address : address.AsSpan(0, at)))
                {
                    throw Refused(
                        $"{endpoint} does not offer SMTPUTF8, so it cannot take the address {address}, whose name has international characters.",
                        $"This email was not sent: the address {address} has international characters in its name, which your email server cannot send to. Check the client's address, or ask the client for one in plain letters.",
                        "international-address-without-smtputf8");
                }
            }
        }

        if (maxSize == 0 || MessageSizeBound.Of(message) is { } bound && bound <= maxSize)
        {
            // No SIZE announced, or surely within it: writing the message out to measure it would cost a whole write.
            return;
        }

        var options = FormatOptions.Default.Clone();
        options.NewLineFormat = NewLineFormat.Dos;
        options.International = utf8;
        using var measure = new MimeKit.IO.MeasuringStream();
        message.WriteTo(options, measure);
        if (measure.Length > maxSize)
        {
            var size = measure.Length;
            throw Refused(
                string.Create(CultureInfo.InvariantCulture, $"The message is {size} bytes; {endpoint} announced a maximum of {maxSize} bytes (SIZE)."),
                string.Create(CultureInfo.InvariantCulture, $"This email was not sent: it is {Megabytes(size)}, larger than your email server accepts ({Megabytes(maxSize)}). Make its attachments smaller, or share large files as links."),
                "message-over-announced-size");
        }
    }

    private static SmtpTransportException Refused(string reply, string advice, string rule) =>
        new(SmtpStage.MailFrom, null, reply, new SmtpMessageRefusedException(reply, advice, rule));

    private static string Megabytes(long bytes) =>
        bytes >= 1024 * 1024
            ? string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024.0):0.#} MB")
            : string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KB");

    public async ValueTask CloseAsync(SmtpConnectionCloseReason reason)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        try
        {
            if (_client.IsConnected)
            {
                // QUIT is a courtesy: bounded, and any failure just means the socket closes without it.
                _client.Timeout = (int)Math.Min(_client.Timeout, QuitTimeout.TotalMilliseconds);
                await _client.DisconnectAsync(quit: true).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Nothing to do: the connection is being thrown away.
        }
        finally
        {
            _client.Dispose();
            _send?.Dispose();
        }

        if (Sends > 0 || reason != SmtpConnectionCloseReason.Broken)
        {
            SmtpTransportLog.ConnectionClosed(_logger, Id, Endpoint, reason, Sends);
        }
    }

    /// <summary>Closes the socket at once, without QUIT (synchronous disposal).</summary>
    public void Abort()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            _client.Dispose();
            _send?.Dispose();
        }
    }
}
