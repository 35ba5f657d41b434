namespace PetSitter.Email.Extensibility;

/// <summary>
/// An email held until its SMTP account can send again: the message (sent later with the same
/// Message-ID), when it is due, how often it was tried and why it waits.
/// </summary>
public sealed class DeferredEmail
{
    /// <summary>Creates a deferred email.</summary>
    /// <param name="email">The email; its message must carry a Message-ID, which every later try keeps.</param>
    /// <param name="dueAt">When to try it again.</param>
    /// <param name="lastFailure">Why it could not be sent.</param>
    /// <param name="firstDeferredAt">When it was first deferred.</param>
    /// <param name="attempts">How many times it was already tried again from the queue.</param>
    /// <exception cref="ArgumentNullException"><paramref name="email"/> or <paramref name="lastFailure"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The message has no Message-ID.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="attempts"/> is negative.</exception>
    public DeferredEmail(OutgoingEmail email, DateTimeOffset dueAt, SmtpFailure lastFailure, DateTimeOffset firstDeferredAt, int attempts = 0)
    {
        ArgumentNullException.ThrowIfNull(email);
        ArgumentNullException.ThrowIfNull(lastFailure);
        ArgumentOutOfRangeException.ThrowIfNegative(attempts);
        var messageId = email.Message.MessageId;
        if (string.IsNullOrEmpty(messageId))
        {
            throw new ArgumentException("The message has no Message-ID: a deferred message must keep one Message-ID across tries so a duplicate can be recognised.", nameof(email));
        }

        Email = email;
        MessageId = messageId;
        DueAt = dueAt;
        LastFailure = lastFailure;
        FirstDeferredAt = firstDeferredAt;
        Attempts = attempts;
    }

    /// <summary>Gets the email, with the message exactly as it will be sent again.</summary>
    public OutgoingEmail Email { get; }

    /// <summary>Gets the business the email is sent for.</summary>
    public string BusinessId => Email.BusinessId;

    /// <summary>Gets the email's category.</summary>
    public EmailCategory Category => Email.Category;

    /// <summary>Gets the Message-ID every try keeps.</summary>
    public string MessageId { get; }

    /// <summary>Gets when the email is next tried.</summary>
    public DateTimeOffset DueAt { get; }

    /// <summary>Gets how many times the email was tried again from the queue (0 before the first retry).</summary>
    public int Attempts { get; }

    /// <summary>Gets when the email was first deferred.</summary>
    public DateTimeOffset FirstDeferredAt { get; }

    /// <summary>Gets the failure that deferred it last.</summary>
    public SmtpFailure LastFailure { get; }

    /// <summary>
    /// Gets what the queue that handed this email out needs to settle it (for a durable queue: the entry and
    /// its lease); <see langword="null"/> for an email not taken from such a queue. Carried by
    /// <see cref="AfterAttempt"/>, so putting the email back updates the same entry instead of adding one.
    /// </summary>
    public object? QueueReceipt { get; init; }

    /// <summary>
    /// Gets the settings fingerprint (<see cref="SmtpAccountSettings.SettingsFingerprint"/>) of the account whose
    /// account-level failure holds this email; <see langword="null"/> when it waits for another reason. Saved
    /// settings with another fingerprint make the email due at once (see <see cref="IAccountHeldMail"/>).
    /// </summary>
    public string? AccountFingerprint { get; init; }

    /// <summary>Returns the same email after one more failed try, due again at <paramref name="dueAt"/>, held under <paramref name="accountFingerprint"/>.</summary>
    internal DeferredEmail AfterAttempt(DateTimeOffset dueAt, SmtpFailure failure, string? accountFingerprint) =>
        new(Email, dueAt, failure, FirstDeferredAt, Attempts + 1) { QueueReceipt = QueueReceipt, AccountFingerprint = accountFingerprint };

    /// <summary>Returns the same email due at <paramref name="now"/>: its account's settings changed.</summary>
    internal DeferredEmail DueNow(DateTimeOffset now) =>
        new(Email, now, LastFailure, FirstDeferredAt, Attempts) { QueueReceipt = QueueReceipt, AccountFingerprint = AccountFingerprint };

    /// <inheritdoc />
    public override string ToString() =>
        $"{Category} email for business '{BusinessId}' (Message-ID <{MessageId}>) due {DueAt:O}, tried {Attempts} time(s), waiting because of {LastFailure.Kind}";
}
