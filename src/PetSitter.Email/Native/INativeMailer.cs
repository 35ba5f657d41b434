using MimeKit;

namespace PetSitter.Email;

/// <summary>
/// The platform's own mailer: the channel that carries documents when "Only Use for Direct Emails" is
/// on, and the fallback when a business's mailbox cannot take a message.
/// </summary>
/// <remarks>
/// It receives the message already rewritten to the native identity (From the platform address,
/// display name "{Business} via Pet Sitter Plus", <c>Reply-To</c> the business, Message-ID kept).
/// </remarks>
public interface INativeMailer
{
    /// <summary>Sends an already rewritten message.</summary>
    /// <param name="message">The message with the native identity. Implementations must not change it.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>Where the message went.</returns>
    Task<DeliveryReceipt> SendAsync(MimeMessage message, CancellationToken cancellationToken);
}
