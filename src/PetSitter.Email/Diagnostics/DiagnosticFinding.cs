namespace PetSitter.Email;

/// <summary>
/// The answer to one question of "What can go wrong with SMTP?" for one account: pass, fail, warning or
/// not checked, what was found, the server's reply or the error behind it, the failure's kind and what the
/// owner should do.
/// </summary>
/// <remarks>Never carries a password or token: replies pass through the same redaction as <see cref="SmtpFailure.Reply"/>.</remarks>
public sealed class DiagnosticFinding
{
    /// <summary>Creates a finding (the library creates them; tests of code that reads reports may too).</summary>
    /// <param name="check">The question answered.</param>
    /// <param name="status">The answer.</param>
    /// <param name="summary">What was found, in one sentence.</param>
    /// <param name="failureKind">The kind of failure behind a <see cref="DiagnosticStatus.Fail"/> or <see cref="DiagnosticStatus.Warning"/>, if any.</param>
    /// <param name="reply">The evidence: the server's reply line or the error, if any.</param>
    /// <param name="advice">What the owner should do, if anything.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="check"/> or <paramref name="status"/> is not a defined value.</exception>
    /// <exception cref="ArgumentException"><paramref name="summary"/> is empty.</exception>
    public DiagnosticFinding(DiagnosticCheck check, DiagnosticStatus status, string summary, SmtpFailureKind? failureKind = null, string? reply = null, string? advice = null)
    {
        if (!Enum.IsDefined(check))
        {
            throw new ArgumentOutOfRangeException(nameof(check), check, "Not a DiagnosticCheck.");
        }

        if (!Enum.IsDefined(status))
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, "Not a DiagnosticStatus.");
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(summary);
        Check = check;
        Status = status;
        Summary = summary;
        FailureKind = failureKind;
        Reply = SmtpReplyRedactor.Redact(reply);
        Advice = string.IsNullOrWhiteSpace(advice) ? null : advice;
    }

    /// <summary>
    /// Gets what the owner must do, as data for the app's button: <see cref="RequiredAction.ConnectWithOAuth"/> when
    /// Microsoft 365 no longer accepts the password, <see cref="RequiredAction.Reconnect"/> when the access token was
    /// refused. Default: <see cref="RequiredAction.None"/>.
    /// </summary>
    public RequiredAction RequiredAction { get; init; }

    /// <summary>Gets the question answered.</summary>
    public DiagnosticCheck Check { get; }

    /// <summary>Gets the question in the article's words, for example "Is your email password correct?".</summary>
    public string Question => DiagnosticQuestions.For(Check);

    /// <summary>Gets the answer.</summary>
    public DiagnosticStatus Status { get; }

    /// <summary>Gets what was found, in one sentence, for example "Signed in as hello@pawsandclaws.example (AUTH PLAIN).".</summary>
    public string Summary { get; }

    /// <summary>Gets the kind of failure found, as the sending path would classify it; <see langword="null"/> when none.</summary>
    public SmtpFailureKind? FailureKind { get; }

    /// <summary>Gets the evidence: the server's reply line (for example <c>535 5.7.8 ...</c>) or the error; <see langword="null"/> when there is none.</summary>
    public string? Reply { get; }

    /// <summary>Gets what the owner should do, in plain words; <see langword="null"/> when nothing needs doing.</summary>
    public string? Advice { get; }

    /// <inheritdoc />
    public override string ToString() =>
        FailureKind is { } kind ? $"{Check}: {Status} ({kind}): {Summary}" : $"{Check}: {Status}: {Summary}";
}
