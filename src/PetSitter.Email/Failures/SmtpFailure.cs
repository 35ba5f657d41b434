namespace PetSitter.Email;

/// <summary>
/// A classified failure of the SMTP channel: its kind, whether it concerns the account or only this
/// message, whether it is worth retrying, the evidence (stage and server reply) and the owner's advice.
/// </summary>
public sealed class SmtpFailure
{
    /// <summary>Creates a classified failure.</summary>
    /// <param name="kind">The kind of failure.</param>
    /// <param name="isAccountLevel">Whether the failure concerns the whole account rather than this message.</param>
    /// <param name="isTransient">Whether the same send may succeed if retried later as it is.</param>
    /// <param name="advice">What the owner should do, in plain words.</param>
    /// <param name="stage">Where the SMTP conversation failed, or <see langword="null"/> when it never started.</param>
    /// <param name="statusCode">The server's reply code, if any.</param>
    /// <param name="reply">The server's reply or the error's description (never a secret).</param>
    public SmtpFailure(SmtpFailureKind kind, bool isAccountLevel, bool isTransient, string advice, SmtpStage? stage = null, int? statusCode = null, string? reply = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(advice);
        Kind = kind;
        IsAccountLevel = isAccountLevel;
        IsTransient = isTransient;
        Advice = advice;
        Stage = stage;
        StatusCode = statusCode;
        Reply = reply;
        EnhancedStatusCode = EnhancedStatusCodes.Find(reply);
    }

    /// <summary>Gets the kind of failure.</summary>
    public SmtpFailureKind Kind { get; }

    /// <summary>Gets whether the failure concerns the whole account (every message would fail) rather than this message.</summary>
    public bool IsAccountLevel { get; }

    /// <summary>Gets whether the same send may succeed later without anyone changing anything.</summary>
    public bool IsTransient { get; }

    /// <summary>Gets the owner's advice, for example "Your SMTP password appears to be wrong: update it in Custom SMTP Configuration."</summary>
    public string Advice { get; }

    /// <summary>Gets the question of "What can go wrong with SMTP?" that this failure answers.</summary>
    public string Question => SmtpFailureQuestions.For(Kind);

    /// <summary>Gets where the SMTP conversation failed, or <see langword="null"/> when no connection was attempted.</summary>
    public SmtpStage? Stage { get; }

    /// <summary>Gets the server's three-digit reply code, if the failure was a reply.</summary>
    public int? StatusCode { get; }

    /// <summary>Gets the enhanced status code in the reply (for example <c>5.7.8</c>), if any.</summary>
    public string? EnhancedStatusCode { get; }

    /// <summary>Gets the server's reply, or a description of the error.</summary>
    public string? Reply { get; }

    /// <inheritdoc />
    public override string ToString() =>
        StatusCode is null
            ? $"{Kind}: {Advice}{(Reply is null ? string.Empty : $" ({Reply})")}"
            : $"{Kind}: {Advice} (server said {StatusCode} {Reply})";
}
