using MimeKit;

namespace PetSitter.Email;

/// <summary>A deferred email as the durable queue stores it: the envelope, the whole MIME message and the metadata.</summary>
internal sealed class StoredDeferredEmail
{
    public string BusinessId { get; set; } = string.Empty;

    public EmailCategory Category { get; set; }

    public DateTimeOffset DueAt { get; set; }

    public DateTimeOffset FirstDeferredAt { get; set; }

    public int Attempts { get; set; }

    public StoredFailure LastFailure { get; set; } = new();

    /// <summary>Gets or sets the settings fingerprint the account failed with, when the email is held because of it.</summary>
    public string? AccountFingerprint { get; set; }

    /// <summary>Gets or sets the message as written by MimeKit (headers, Message-ID and Bcc included).</summary>
#pragma warning disable CA1819 // A DTO for the serializer: the bytes are the message, copied once in and once out.
    public byte[] Mime { get; set; } = [];
#pragma warning restore CA1819

    public static StoredDeferredEmail From(DeferredEmail item, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        item.Email.Message.WriteTo(FormatOptions.Default, buffer, cancellationToken);
        return new StoredDeferredEmail
        {
            BusinessId = item.BusinessId,
            Category = item.Category,
            DueAt = item.DueAt,
            FirstDeferredAt = item.FirstDeferredAt,
            Attempts = item.Attempts,
            LastFailure = StoredFailure.From(item.LastFailure),
            AccountFingerprint = item.AccountFingerprint,
            Mime = buffer.ToArray(),
        };
    }

    public DeferredEmail ToDeferredEmail(object? receipt)
    {
        using var buffer = new MemoryStream(Mime, writable: false);
        var message = MimeMessage.Load(buffer);
        return new DeferredEmail(new OutgoingEmail(BusinessId, Category, message), DueAt, LastFailure.ToFailure(), FirstDeferredAt, Attempts)
        {
            QueueReceipt = receipt,
            AccountFingerprint = AccountFingerprint,
        };
    }
}
