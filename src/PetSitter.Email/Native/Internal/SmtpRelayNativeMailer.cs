using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace PetSitter.Email.Native;

/// <summary>
/// The native mailer that relays through the platform's own SMTP server, with the same pooled,
/// validated MailKit machinery as the business channel but its own pools: a business's failing
/// mailbox (or a replaced <see cref="ISmtpTransport"/>) never touches the relay.
/// </summary>
internal sealed class SmtpRelayNativeMailer : INativeMailer, IAsyncDisposable, IDisposable
{
    private readonly SmtpAccountSettings _relay;
    private readonly MailKitSmtpTransport _transport;

    public SmtpRelayNativeMailer(
        IOptions<NativeSmtpRelayOptions> relayOptions,
        IOptions<NativeIdentityOptions> identityOptions,
        IOptions<SmtpTransportOptions> transportOptions,
        TimeProvider timeProvider,
        ILogger<MailKitSmtpTransport> transportLogger)
    {
        ArgumentNullException.ThrowIfNull(relayOptions);
        ArgumentNullException.ThrowIfNull(identityOptions);
        _relay = relayOptions.Value.ToAccount(identityOptions.Value.PlatformFromAddress);
        _transport = new MailKitSmtpTransport(transportOptions, timeProvider, transportLogger);
    }

    /// <inheritdoc />
    /// <exception cref="SmtpTransportException">The relay refused the message or could not be reached.</exception>
    public Task<DeliveryReceipt> SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return _transport.SendAsync(_relay, message, cancellationToken);
    }

    public ValueTask DisposeAsync() => _transport.DisposeAsync();

    public void Dispose() => _transport.Dispose();
}
