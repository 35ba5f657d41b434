using Microsoft.Extensions.Options;

namespace PetSitter.Email.Fallback;

/// <summary>Decides, from the category and the classified SMTP failure, whether a message falls back, waits or fails.</summary>
internal sealed class FallbackPolicy
{
    private readonly FallbackPolicyOptions _options;

    public FallbackPolicy(IOptions<FallbackPolicyOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
    }

    public FallbackPolicyOptions Options => _options;

    public FallbackDecision Decide(EmailCategory category, SmtpFailure failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        if (failure is { Kind: SmtpFailureKind.RejectedAsSpam, IsAccountLevel: false })
        {
            // The owner's own provider refused this one message as spam. A document, a notification or a
            // general email the client is waiting for goes natively, once: one transactional message does not
            // spend the platform's reputation, and the invoice must get through. Marketing never does: bulk
            // mail a provider called spam is exactly what would spend it, and waiting would not change the verdict.
            return category != EmailCategory.Marketing && _options.ActionFor(category) == SmtpFallbackAction.SendNative
                ? FallbackDecision.SendNative
                : FallbackDecision.Fail;
        }

        if (failure is { Kind: SmtpFailureKind.RejectedAsSpam } && category == EmailCategory.Marketing)
        {
            // The account's marketing is paused after repeated spam refusals: it waits for the pause to end,
            // whatever the category's action, for the same reason.
            return FallbackDecision.Defer;
        }

        if (IsAboutTheMessage(failure))
        {
            return FallbackDecision.Fail;
        }

        if (_options.ActionFor(category) != SmtpFallbackAction.Defer)
        {
            return FallbackDecision.SendNative;
        }

        // A limit this message can never meet (more recipients than the provider takes in one message) is not
        // lifted by waiting: deferring it would only retry it until the queue gives up.
        return IsNeverWithinLimits(failure) ? FallbackDecision.Fail : FallbackDecision.Defer;
    }

    internal static bool IsNeverWithinLimits(SmtpFailure failure) =>
        failure is { Kind: SmtpFailureKind.SendLimitReached, IsAccountLevel: false, IsTransient: false };

    /// <summary>
    /// A bad address or an oversized message would be refused on the native channel too. One message judged
    /// as spam is about that message as well (<see cref="Decide"/> sends it natively only when it is not
    /// marketing); the account-level spam signal (several within an hour) follows the category.
    /// </summary>
    internal static bool IsAboutTheMessage(SmtpFailure failure) => failure.Kind switch
    {
        SmtpFailureKind.RecipientRejected or SmtpFailureKind.MessageRejected => true,
        SmtpFailureKind.RejectedAsSpam => !failure.IsAccountLevel,
        _ => false,
    };
}
