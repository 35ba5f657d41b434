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
    /// <param name="reply">The server's reply or the error's description. Sign-in data a server echoes back is removed.</param>
    internal SmtpFailure(SmtpFailureKind kind, bool isAccountLevel, bool isTransient, string advice, SmtpStage? stage = null, int? statusCode = null, string? reply = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(advice);
        Kind = kind;
        IsAccountLevel = isAccountLevel;
        IsTransient = isTransient;
        Advice = advice;
        Stage = stage;
        StatusCode = statusCode;
        Reply = SmtpReplyRedactor.Redact(reply);
        EnhancedStatusCode = EnhancedStatusCodes.Find(Reply);
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

    /// <summary>
    /// Gets how long the provider's quota window lasts, measured from this failure, when the failure is a
    /// provider's limit (for example 24 hours for Gmail's rolling daily limit, 1 hour for an hourly one, a
    /// few minutes for throttling); <see langword="null"/> when it is not, or nothing resets (too many
    /// recipients in one message). Until then the account counts as exhausted whatever its own count says.
    /// Default: <see langword="null"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public TimeSpan? ResetsAfter
    {
        get;
        init
        {
            if (value is { } window && window <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(value), window, "A quota window must be positive.");
            }

            field = value;
        }
    }

    /// <summary>
    /// Gets which send limit refused the message, as data, when the failure is a limit
    /// (<see cref="SmtpFailureKind.SendLimitReached"/>): the library's own count of the account's
    /// <see cref="SendLimits"/> (<see cref="Email.LimitWindow.MessagesPerSecond"/> through
    /// <see cref="Email.LimitWindow.RecipientsPerMessage"/>), a provider's reply that names its window (Gmail's
    /// <c>550-5.4.5 Daily user sending limit exceeded</c> is <see cref="Email.LimitWindow.MessagesPerDay"/>, a
    /// "too many recipients" reply <see cref="Email.LimitWindow.RecipientsPerMessage"/>),
    /// <see cref="Email.LimitWindow.ProviderExhausted"/> while an earlier quota reply of the provider still holds the
    /// account, or <see cref="Email.LimitWindow.StoreUnavailable"/> when the shared limit store could not be asked.
    /// <see langword="null"/> when the failure is not a limit, or the provider's reply does not say which window
    /// (Microsoft's <c>SubmissionQuotaExceeded</c>, a throttle such as Gmail's <c>421 4.7.0 Try again later</c>):
    /// <see cref="ResetsAfter"/> then still says how long it holds. Default: <see langword="null"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is <see cref="Email.LimitWindow.None"/> or not a defined window.</exception>
    public LimitWindow? LimitWindow
    {
        get;
        init
        {
            if (value is { } window && (window == Email.LimitWindow.None || !Enum.IsDefined(window)))
            {
                throw new ArgumentOutOfRangeException(nameof(value), window, "A limit failure names the window that refused the send, never None.");
            }

            field = value;
        }
    }

    /// <summary>
    /// Gets the mail provider whose rules and advice were used to read the reply (for example
    /// <c>Microsoft 365</c>), or <see langword="null"/> when none was recognised and the reply was read by
    /// what its codes and words mean anywhere. <see cref="AssumedProviderBecause"/> says why.
    /// Default: <see langword="null"/>.
    /// </summary>
    public string? AssumedProvider { get; init; }

    /// <summary>
    /// Gets what identified <see cref="AssumedProvider"/>: the account's named provider, the host name, the
    /// server's greeting or EHLO banner (an owner's own host name in front of Microsoft 365 or Google), or a
    /// signature in the reply (Microsoft's <c>STOREDRV</c>, Google's <c>gsmtp</c>); <see langword="null"/>
    /// when no provider was assumed. Default: <see langword="null"/>.
    /// </summary>
    public string? AssumedProviderBecause { get; init; }

    /// <summary>
    /// Gets what the owner must do before the account sends again, as data for the app's button:
    /// <see cref="Email.RequiredAction.ConnectWithOAuth"/> when Microsoft 365 no longer accepts the password
    /// (<c>550 5.7.30</c>, <c>535 5.7.139 ... SmtpClientAuthentication is disabled</c>),
    /// <see cref="Email.RequiredAction.Reconnect"/> when the OAuth2 grant was revoked or expired.
    /// Default: <see cref="Email.RequiredAction.None"/>.
    /// </summary>
    public RequiredAction RequiredAction { get; init; }

    /// <summary>Gets what a provider's limit reply asks of the send-limit policy; <see cref="ProviderQuotaSignal.None"/> for other failures.</summary>
    internal ProviderQuotaSignal QuotaSignal { get; init; }

    /// <summary>Gets whether the provider said a counted quota is used up or it is throttling the account (not a per-message limit).</summary>
    internal bool IsProviderQuota => QuotaSignal is ProviderQuotaSignal.Window or ProviderQuotaSignal.BackOff;

    /// <summary>Gets the recipient a server refused at <c>RCPT TO</c>, when the transport said which.</summary>
    internal string? RefusedRecipient { get; init; }

    /// <summary>Gets the name of the classification rule that produced this failure, for diagnostics.</summary>
    internal string? RuleName { get; init; }

    /// <inheritdoc />
    public override string ToString() =>
        StatusCode is null
            ? $"{Kind}: {Advice}{(Reply is null ? string.Empty : $" ({Reply})")}"
            : $"{Kind}: {Advice} (server said {StatusCode} {Reply})";
}
