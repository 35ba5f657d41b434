using System.Globalization;

namespace PetSitter.Email.Deferral;

/// <summary>
/// Thrown by the in-memory deferred queue when it already holds
/// <see cref="FallbackPolicyOptions.MaxInMemoryDeferred"/> emails: the sender ends the email as failed,
/// saying so, rather than hold more mail in memory than the process was given room for.
/// </summary>
internal sealed class DeferredQueueFullException : InvalidOperationException
{
    public DeferredQueueFullException()
        : this(0)
    {
    }

    public DeferredQueueFullException(string message)
        : base(message)
    {
    }

    public DeferredQueueFullException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public DeferredQueueFullException(int capacity)
        : base(string.Create(CultureInfo.InvariantCulture, $"The in-memory deferred queue is full ({capacity} emails)."))
    {
        Capacity = capacity;
    }

    /// <summary>Gets how many emails the queue holds at most.</summary>
    public int Capacity { get; }
}
