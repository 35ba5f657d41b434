namespace PetSitter.Email.Failures;

/// <summary>
/// Turns a failure of the SMTP channel into a <see cref="SmtpFailure"/> by walking
/// <see cref="SmtpFailureRules.All"/>: reply code, enhanced code, reply text, stage, provider and the
/// exception MailKit threw, never the class digit alone (providers put daily quotas under 5xx).
/// </summary>
internal static class SmtpFailureClassifier
{
    /// <summary>Classifies <paramref name="exception"/>.</summary>
    /// <param name="exception">What the transport threw.</param>
    /// <param name="host">The SMTP host, when known: it picks provider-specific rules and advice.</param>
    /// <param name="provider">
    /// The account's <see cref="SmtpAccountSettings.Provider"/>, when set: it overrides what the host, the
    /// server's banner and the reply say about the provider.
    /// </param>
    public static SmtpFailure Classify(SmtpTransportException exception, string? host = null, string? provider = null)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception.InnerException is SmtpMessageRefusedException refused)
        {
            // Refused by the library before MAIL FROM from what the server announced: no reply to read.
            return new SmtpFailure(SmtpFailureKind.MessageRejected, isAccountLevel: false, isTransient: false, refused.Advice, exception.Stage, statusCode: null, exception.Reply)
            {
                RuleName = refused.RuleName,
            };
        }

        var evidence = SmtpFailureEvidence.From(exception, host, provider);
        var rule = Match(evidence);
        return new SmtpFailure(
            rule.Kind,
            rule.IsAccountLevel,
            rule.IsTransient,
            rule.Advice ?? SmtpFailureAdvice.For(rule.Kind),
            exception.Stage,
            evidence.StatusCode,
            Describe(exception))
        {
            ResetsAfter = rule.ResetsAfter,
            LimitWindow = WindowNamedIn(rule, evidence.Text),
            QuotaSignal = rule.Quota,
            RuleName = rule.Name,
            RequiredAction = rule.RequiredAction,
            RefusedRecipient = exception.RefusedRecipient,
            AssumedProvider = evidence.Detection.Name,
            AssumedProviderBecause = evidence.Detection.Because,
        };
    }

    /// <summary>
    /// The window a provider's limit reply names, and only when it names one: "daily" is a day, "hourly" an
    /// hour, a per-message recipient cap is that. A throttle, or a quota reply that says no period
    /// (Microsoft's SubmissionQuotaExceeded, IONOS's "Mail send limit exceeded"), gets none rather than a guess.
    /// </summary>
    internal static LimitWindow? WindowNamedIn(ClassificationRule rule, string text) => rule.Quota switch
    {
        ProviderQuotaSignal.RecipientsPerMessage => LimitWindow.RecipientsPerMessage,
        ProviderQuotaSignal.Window when Names(text, "daily", "per day") => LimitWindow.MessagesPerDay,
        ProviderQuotaSignal.Window when Names(text, "hourly", "per hour") => LimitWindow.MessagesPerHour,
        _ => null,
    };

    private static bool Names(string text, params ReadOnlySpan<string> words)
    {
        foreach (var word in words)
        {
            if (text.Contains(word, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The failure for settings that cannot work, found before any connection is tried.</summary>
    public static SmtpFailure Misconfigured(IReadOnlyList<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        return new(SmtpFailureKind.Misconfigured, isAccountLevel: true, isTransient: false,
            SmtpFailureAdvice.For(SmtpFailureKind.Misconfigured), stage: null, statusCode: null, reply: string.Join(" ", errors))
        {
            RuleName = "settings-invalid",
        };
    }

    internal static ClassificationRule Match(SmtpFailureEvidence evidence)
    {
        foreach (var rule in SmtpFailureRules.All)
        {
            if (rule.Matches(evidence))
            {
                return rule;
            }
        }

        // The table ends with a row that matches anything; this keeps the compiler and a future edit honest.
        throw new InvalidOperationException("The SMTP failure rules have no catch-all row.");
    }

    /// <summary>The server's reply, or when there was none the first error's own words.</summary>
    private static string Describe(SmtpTransportException exception)
    {
        if (!string.IsNullOrWhiteSpace(exception.Reply))
        {
            return exception.Reply;
        }

        return exception.InnerException?.Message ?? exception.Message;
    }
}
