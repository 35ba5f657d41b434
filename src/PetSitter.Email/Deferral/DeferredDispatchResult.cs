using System.Globalization;

namespace PetSitter.Email;

/// <summary>What one <see cref="IDeferredEmailDispatcher.DispatchDueAsync"/> call did with the due emails it took.</summary>
/// <remarks><see cref="Taken"/> is the sum of the four others.</remarks>
public sealed class DeferredDispatchResult
{
    internal DeferredDispatchResult(int sent, int deferred, int failed, int deliveryUncertain)
    {
        Sent = sent;
        Deferred = deferred;
        Failed = failed;
        DeliveryUncertain = deliveryUncertain;
    }

    /// <summary>Gets how many due emails were taken from the queue.</summary>
    public int Taken => Sent + Deferred + Failed + DeliveryUncertain;

    /// <summary>Gets how many were sent (outcome <see cref="SendStatus.Sent"/>, reported to the listeners).</summary>
    public int Sent { get; }

    /// <summary>Gets how many the account still could not send: they are back in the queue with a later due time.</summary>
    public int Deferred { get; }

    /// <summary>
    /// Gets how many ended <see cref="SendStatus.Failed"/>: refused for good, or given up on after
    /// <see cref="FallbackPolicyOptions.MaxDeferredAttempts"/> tries or <see cref="FallbackPolicyOptions.MaxDeferral"/>.
    /// </summary>
    public int Failed { get; }

    /// <summary>Gets how many ended <see cref="SendStatus.DeliveryUncertain"/> (never sent again).</summary>
    public int DeliveryUncertain { get; }

    /// <inheritdoc />
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Taken} due email(s) taken: {Sent} sent, {Deferred} deferred again, {Failed} failed, {DeliveryUncertain} delivery uncertain");
}
