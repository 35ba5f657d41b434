using System.Collections.Concurrent;

namespace PetSitter.Email.Redis.Tests.Support;

internal sealed class RecordingListener : IEmailOutcomeListener
{
    private readonly ConcurrentQueue<SendOutcome> _outcomes = new();

    public IReadOnlyList<SendOutcome> Outcomes => [.. _outcomes];

    public ValueTask OnOutcomeAsync(SendOutcome outcome, CancellationToken cancellationToken)
    {
        _outcomes.Enqueue(outcome);
        return ValueTask.CompletedTask;
    }
}
