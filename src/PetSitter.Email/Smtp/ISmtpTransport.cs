using MimeKit;

namespace PetSitter.Email.Extensibility;

/// <summary>
/// Hands a message to a business's own SMTP server. The library's implementation uses MailKit with
/// pooled connections; tests and fakes provide others.
/// </summary>
public interface ISmtpTransport
{
    /// <summary>Sends <paramref name="message"/> through <paramref name="account"/>.</summary>
    /// <param name="account">The SMTP account to send through; already validated.</param>
    /// <param name="message">The message. Implementations must not change it.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>Where the server put the message.</returns>
    /// <exception cref="SmtpTransportException">The server refused the message or could not be reached; says at which stage and with which reply.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    Task<DeliveryReceipt> SendAsync(SmtpAccountSettings account, MimeMessage message, CancellationToken cancellationToken);
}
