using System.Collections.Concurrent;

namespace PetSitter.Email.Tests.EndToEnd;

/// <summary>Hears the final outcomes the deferred-mail dispatcher reports, as an app's listener would.</summary>
internal sealed class RecordingOutcomeListener : IEmailOutcomeListener
{
    private readonly ConcurrentQueue<SendOutcome> _outcomes = new();

    public IReadOnlyList<SendOutcome> Outcomes => [.. _outcomes];

    public ValueTask OnOutcomeAsync(SendOutcome outcome, CancellationToken cancellationToken)
    {
        _outcomes.Enqueue(outcome);
        return ValueTask.CompletedTask;
    }
}
