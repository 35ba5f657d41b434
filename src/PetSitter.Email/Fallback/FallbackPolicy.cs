using Microsoft.Extensions.Options;

namespace PetSitter.Email;

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
    /// A bad address, an oversized message or one message judged as spam would be refused on the native
    /// channel too (and spam sent natively would spend the platform's reputation). Spam refusals that the
    /// classifier marks account-level (many in a row) are about the account and follow the category.
    /// </summary>
    internal static bool IsAboutTheMessage(SmtpFailure failure) => failure.Kind switch
    {
        SmtpFailureKind.RecipientRejected or SmtpFailureKind.MessageRejected => true,
        SmtpFailureKind.RejectedAsSpam => !failure.IsAccountLevel,
        _ => false,
    };
}
