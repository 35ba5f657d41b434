namespace PetSitter.Email.Failures;

/// <summary>
/// One row of the classification table: conditions on the evidence (every one that is set must hold)
/// and the failure it means. Rows are tried in order; the first match wins.
/// </summary>
/// <param name="Name">A stable name for the row, for tests, logs and the docs table.</param>
/// <param name="Kind">The kind of failure the row means.</param>
/// <param name="IsAccountLevel">Whether every message from the account would fail the same way.</param>
/// <param name="IsTransient">Whether the same send may succeed later without anyone changing anything.</param>
internal sealed record ClassificationRule(string Name, SmtpFailureKind Kind, bool IsAccountLevel, bool IsTransient)
{
    /// <summary>Gets the reply codes of which one must match (any when unset).</summary>
    public IReadOnlyList<int>? Codes { get; init; }

    /// <summary>
    /// Gets the class digit that must match (4 or 5), when set: the reply code's, or the enhanced
    /// code's when MailKit passed the reply text on without its code.
    /// </summary>
    public int? CodeClass { get; init; }

    /// <summary>
    /// Gets enhanced status code patterns of which one must match, segment by segment:
    /// <c>5.7.1</c> matches only 5.7.1 (not 5.7.139), <c>*.7.8</c> either class, <c>5.7</c> any detail.
    /// </summary>
    public IReadOnlyList<string>? Enhanced { get; init; }

    /// <summary>Gets fragments of which one must appear in the reply or error text (case-insensitive).</summary>
    public IReadOnlyList<string>? Text { get; init; }

    /// <summary>Gets a second set of fragments of which one must also appear, for "account ... suspended"-style pairs.</summary>
    public IReadOnlyList<string>? AlsoText { get; init; }

    /// <summary>Gets the stages of which one must match.</summary>
    public IReadOnlyList<SmtpStage>? Stages { get; init; }

    /// <summary>Gets the providers of which one must match.</summary>
    public IReadOnlyList<KnownSmtpProvider>? Providers { get; init; }

    /// <summary>Gets the underlying error that must match.</summary>
    public SmtpFailureCause? Cause { get; init; }

    /// <summary>Gets the owner's advice when the reply says more than the kind; the kind's advice otherwise.</summary>
    public string? Advice { get; init; }

    /// <summary>Gets what the owner must do, as data for the app's button.</summary>
    public RequiredAction RequiredAction { get; init; }

    /// <summary>Gets what the reply asks of the send-limit policy.</summary>
    public ProviderQuotaSignal Quota { get; init; }

    /// <summary>Gets how long the provider's limit lasts, for <see cref="ProviderQuotaSignal.Window"/> and <see cref="ProviderQuotaSignal.BackOff"/>.</summary>
    public TimeSpan? ResetsAfter { get; init; }

    public bool Matches(SmtpFailureEvidence evidence)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        return (Codes is null || (evidence.StatusCode is { } code && Codes.Contains(code)))
            && (CodeClass is null || ClassOf(evidence) == CodeClass)
            && (Enhanced is null || (evidence.EnhancedStatusCode is { } enhanced && Enhanced.Any(p => EnhancedMatches(p, enhanced))))
            && (Text is null || ContainsAny(evidence.Text, Text))
            && (AlsoText is null || ContainsAny(evidence.Text, AlsoText))
            && (Stages is null || Stages.Contains(evidence.Stage))
            && (Providers is null || Providers.Contains(evidence.Provider))
            && (Cause is null || Cause == evidence.Cause);
    }

    private static int? ClassOf(SmtpFailureEvidence evidence) =>
        evidence.StatusCode is { } code ? code / 100
        : evidence.EnhancedStatusCode is { Length: > 0 } enhanced ? enhanced[0] - '0'
        : null;

    internal static bool EnhancedMatches(string pattern, string code)
    {
        var wanted = pattern.Split('.');
        var actual = code.Split('.');
        if (wanted.Length > actual.Length)
        {
            return false;
        }

        for (var i = 0; i < wanted.Length; i++)
        {
            if (wanted[i] != "*" && !string.Equals(wanted[i], actual[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private static bool ContainsAny(string text, IReadOnlyList<string> fragments)
    {
        foreach (var fragment in fragments)
        {
            if (text.Contains(fragment, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
