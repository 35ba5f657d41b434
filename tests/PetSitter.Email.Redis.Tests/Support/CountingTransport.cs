using System.Collections.Concurrent;
using MimeKit;

namespace PetSitter.Email.Redis.Tests.Support;

/// <summary>
/// An SMTP transport that accepts everything and records when (on the shared fake clock) and what it
/// accepted, across every instance that shares it: the provider's view of the account.
/// </summary>
internal sealed class CountingTransport(TimeProvider time) : ISmtpTransport
{
    private readonly ConcurrentQueue<(DateTimeOffset At, string MessageId)> _accepted = new();

    /// <summary>Gets or sets a gate each send waits on before it is accepted; <see langword="null"/> to accept at once.</summary>
    public Func<MimeMessage, CancellationToken, Task>? BeforeAccept { get; set; }

    public IReadOnlyList<(DateTimeOffset At, string MessageId)> Accepted => [.. _accepted];

    public async Task<DeliveryReceipt> SendAsync(SmtpAccountSettings account, MimeMessage message, CancellationToken cancellationToken)
    {
        if (BeforeAccept is { } gate)
        {
            await gate(message, cancellationToken);
        }

        _accepted.Enqueue((time.GetUtcNow(), message.MessageId ?? string.Empty));
        return new DeliveryReceipt($"{account.Host}:{account.Port}", "250 2.0.0 OK");
    }
}
