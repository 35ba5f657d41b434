using MimeKit;

namespace PetSitter.Email;

/// <summary>
/// One email a business wants sent: who sends it, what kind of email it is, and the message itself.
/// </summary>
/// <remarks>
/// The library never mutates <see cref="Message"/>: channels that need to change headers (the native
/// identity rewrite) or encodings (SMTP) work on a copy.
/// </remarks>
public sealed class OutgoingEmail
{
    /// <summary>Creates an outgoing email.</summary>
    /// <param name="businessId">The business on whose behalf the email is sent.</param>
    /// <param name="category">The email's category, which decides its channel.</param>
    /// <param name="message">The message. It needs at least one recipient (To, Cc or Bcc).</param>
    /// <exception cref="ArgumentNullException"><paramref name="businessId"/> or <paramref name="message"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="businessId"/> is empty or white space.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="category"/> is not a defined category.</exception>
    public OutgoingEmail(string businessId, EmailCategory category, MimeMessage message)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(businessId);
        ArgumentNullException.ThrowIfNull(message);
        if (!category.IsDefined())
        {
            throw EmailCategoryExtensions.UndefinedCategory(category, nameof(category));
        }

        BusinessId = businessId;
        Category = category;
        Message = message;
    }

    /// <summary>Gets the business on whose behalf the email is sent.</summary>
    public string BusinessId { get; }

    /// <summary>Gets the email's category.</summary>
    public EmailCategory Category { get; }

    /// <summary>Gets the message to send.</summary>
    public MimeMessage Message { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Category} email for business '{BusinessId}' (Message-ID <{Message.MessageId}>)";
}
