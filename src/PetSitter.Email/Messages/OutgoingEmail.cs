using MimeKit;

namespace PetSitter.Email;

/// <summary>
/// One email a business wants sent: who sends it, what kind of email it is, and the message itself.
/// </summary>
/// <remarks>
/// The constructor adds <c>MIME-Version: 1.0</c> to <see cref="Message"/> when it has none: RFC 2045 requires it of every
/// MIME message, and MailKit adds it to whatever it sends, so the library would otherwise copy the headers of every
/// message to keep the caller's unchanged. That is the only change the library ever makes to <see cref="Message"/>:
/// channels that need to change other headers (the business identity, unsubscribe headers, the native identity
/// rewrite) or encodings (SMTP) work on a copy.
/// </remarks>
public sealed class OutgoingEmail
{
    // Held only while a message without MIME-Version gains it: an app that wraps one message in two outgoing emails
    // on two threads at once must not have both add it to the same header list.
    private static readonly Lock MimeVersionLock = new();
    private static readonly Version MimeVersion = new(1, 0);

    private readonly Uri? _unsubscribeUrl;

    /// <summary>Creates an outgoing email.</summary>
    /// <param name="businessId">The business on whose behalf the email is sent.</param>
    /// <param name="category">The email's category, which decides its channel.</param>
    /// <param name="message">The message. It needs at least one recipient (To, Cc or Bcc). It gains <c>MIME-Version: 1.0</c> when it has none.</param>
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
        if (message.MimeVersion is null)
        {
            lock (MimeVersionLock)
            {
                message.MimeVersion ??= MimeVersion;
            }
        }
    }

    /// <summary>Gets the business on whose behalf the email is sent.</summary>
    public string BusinessId { get; }

    /// <summary>Gets the email's category.</summary>
    public EmailCategory Category { get; }

    /// <summary>Gets the message to send.</summary>
    public MimeMessage Message { get; }

    /// <summary>
    /// Gets the recipient's one-click unsubscribe address for a <see cref="EmailCategory.Marketing"/> email: when
    /// set, the sent message carries <c>List-Unsubscribe: &lt;url&gt;</c> and
    /// <c>List-Unsubscribe-Post: List-Unsubscribe=One-Click</c> (RFC 8058, which Gmail and Yahoo require of bulk
    /// senders), on either channel. The app's endpoint must unsubscribe on a POST to this URL without further
    /// steps. The URL is ignored (with a debug log) on any other category: quotes, invoices and notifications
    /// never carry unsubscribe headers, and an app that sets it everywhere still gets them sent.
    /// Default: <see langword="null"/> (no unsubscribe headers are added).
    /// </summary>
    /// <exception cref="ArgumentException">The URL is not absolute, not https, carries a user name or password, is not
    /// ASCII or is longer than 900 characters.</exception>
    public Uri? UnsubscribeUrl
    {
        get => _unsubscribeUrl;
        init
        {
            if (value is not null && DeliverabilityHeaders.Problem(value) is { } problem)
            {
                throw new ArgumentException($"OutgoingEmail.UnsubscribeUrl must be an absolute https:// URL such as https://app.example/unsubscribe?token=..., but {problem}.", nameof(UnsubscribeUrl));
            }

            _unsubscribeUrl = value;
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"{Category} email for business '{BusinessId}' (Message-ID <{Message.MessageId}>)";
}
