using System.Globalization;
using MimeKit;

namespace PetSitter.Email.Testing;

/// <summary>
/// A native mailer for tests: records every message it is given, in order, and answers with a receipt
/// <c>native://recorded/{n}</c>; or, while <see cref="Failure"/> is set, throws it.
/// </summary>
/// <remarks>Safe to use from several threads at once.</remarks>
public sealed class RecordingNativeMailer : INativeMailer
{
    private readonly RecordedList<MimeMessage> _messages = new();
    private Exception? _failure;
    private int _sendAttempts;

    /// <summary>
    /// Gets or sets the exception <see cref="SendAsync"/> throws instead of recording, or
    /// <see langword="null"/> to record. May be changed at any time. Default: <see langword="null"/>.
    /// </summary>
    public Exception? Failure
    {
        get => Volatile.Read(ref _failure);
        set => Volatile.Write(ref _failure, value);
    }

    /// <summary>Gets the messages recorded so far: a copy, in the order they were sent.</summary>
    public IReadOnlyList<MimeMessage> Messages => _messages.Snapshot();

    /// <summary>Gets how many times <see cref="SendAsync"/> was called, including calls that threw.</summary>
    public int SendAttempts => Volatile.Read(ref _sendAttempts);

    /// <summary>Records the message, or throws <see cref="Failure"/> when it is set.</summary>
    /// <param name="message">The message. It is recorded as given, not copied.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>A receipt whose location is <c>native://recorded/{n}</c>, n counting recorded messages from 1.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public Task<DeliveryReceipt> SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        Interlocked.Increment(ref _sendAttempts);
        cancellationToken.ThrowIfCancellationRequested();
        if (Failure is { } failure)
        {
            return Task.FromException<DeliveryReceipt>(failure);
        }

        var position = _messages.Add(message);
        return Task.FromResult(new DeliveryReceipt(string.Create(CultureInfo.InvariantCulture, $"native://recorded/{position}")));
    }

    /// <summary>Waits until at least <paramref name="count"/> messages are recorded.</summary>
    /// <param name="count">How many messages to wait for.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The messages recorded when the count was reached.</returns>
    public Task<IReadOnlyList<MimeMessage>> WaitForMessagesAsync(int count, CancellationToken cancellationToken = default) =>
        _messages.WaitForCountAsync(count, cancellationToken);
}
