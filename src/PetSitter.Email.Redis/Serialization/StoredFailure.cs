namespace PetSitter.Email;

/// <summary>An <see cref="SmtpFailure"/> as it is stored in Redis (the reply is already redacted).</summary>
internal sealed class StoredFailure
{
    public SmtpFailureKind Kind { get; set; }

    public bool IsAccountLevel { get; set; }

    public bool IsTransient { get; set; }

    public string Advice { get; set; } = string.Empty;

    public SmtpStage? Stage { get; set; }

    public int? StatusCode { get; set; }

    public string? Reply { get; set; }

    public long? ResetsAfterMs { get; set; }

    public int QuotaSignal { get; set; }

    public LimitWindow? LimitWindow { get; set; }

    public string? RuleName { get; set; }

    public static StoredFailure From(SmtpFailure failure) => new()
    {
        Kind = failure.Kind,
        IsAccountLevel = failure.IsAccountLevel,
        IsTransient = failure.IsTransient,
        Advice = failure.Advice,
        Stage = failure.Stage,
        StatusCode = failure.StatusCode,
        Reply = failure.Reply,
        ResetsAfterMs = failure.ResetsAfter is { } window ? (long)window.TotalMilliseconds : null,
        QuotaSignal = SmtpFailureStorage.QuotaSignalOf(failure),
        LimitWindow = failure.LimitWindow,
        RuleName = SmtpFailureStorage.RuleNameOf(failure),
    };

    public SmtpFailure ToFailure() => SmtpFailureStorage.Restore(
        Kind,
        IsAccountLevel,
        IsTransient,
        Advice,
        Stage,
        StatusCode,
        Reply,
        ResetsAfterMs is > 0 and { } ms ? TimeSpan.FromMilliseconds(ms) : null,
        QuotaSignal,
        LimitWindow is { } window && window != Email.LimitWindow.None && Enum.IsDefined(window) ? window : null,
        RuleName);
}
