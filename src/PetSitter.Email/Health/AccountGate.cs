namespace PetSitter.Email.Extensibility;

/// <summary>
/// The breaker's answer before an SMTP send: go ahead (possibly as the one probe of a failing account),
/// or do not try, because of <see cref="Failure"/>, until <see cref="RetryAt"/>. An account whose mail was
/// refused as spam too often is open for every category but marketing (<see cref="MarketingPause"/>):
/// <see cref="For"/> turns that into a closed gate for a marketing email.
/// </summary>
public readonly record struct AccountGate
{
    private AccountGate(bool isAllowed, bool isProbe, SmtpFailure? failure, DateTimeOffset? retryAt, SmtpFailure? marketingPause = null, DateTimeOffset marketingPausedUntil = default)
    {
        MarketingPausedUntil = marketingPausedUntil;
        IsAllowed = isAllowed;
        IsProbe = isProbe;
        Failure = failure;
        RetryAt = retryAt;
        MarketingPause = marketingPause;
    }

    /// <summary>Gets the gate of an account SMTP may be tried for now.</summary>
    public static AccountGate Allowed { get; } = new(true, false, null, null);

    /// <summary>Gets the gate of a failing account whose single probe this send is.</summary>
    public static AccountGate Probe { get; } = new(true, true, null, null);

    /// <summary>Gets whether SMTP may be tried now.</summary>
    public bool IsAllowed { get; }

    /// <summary>Gets whether this send is the single probe of a failing account: its result decides the state.</summary>
    public bool IsProbe { get; }

    /// <summary>Gets the account-level failure that keeps SMTP closed; <see langword="null"/> when allowed.</summary>
    public SmtpFailure? Failure { get; }

    /// <summary>Gets when the account may send (or be probed) again; <see langword="null"/> when allowed.</summary>
    public DateTimeOffset? RetryAt { get; }

    /// <summary>Gets the account-level spam signal that keeps marketing off SMTP; <see langword="null"/> when marketing may go.</summary>
    public SmtpFailure? MarketingPause { get; }

    /// <summary>Gets when the marketing pause ends, when there is one.</summary>
    public DateTimeOffset MarketingPausedUntil { get; }

    /// <summary>A closed gate: SMTP is not tried because of <paramref name="failure"/> until <paramref name="retryAt"/>.</summary>
    /// <param name="failure">The account-level failure that keeps SMTP closed.</param>
    /// <param name="retryAt">When the account may send or be probed again.</param>
    /// <returns>The gate.</returns>
    public static AccountGate Blocked(SmtpFailure failure, DateTimeOffset retryAt) => new(false, false, failure, retryAt);

    /// <summary>A gate open for every category except marketing, which waits until <paramref name="until"/>.</summary>
    public static AccountGate WithoutMarketing(AccountGate gate, SmtpFailure pause, DateTimeOffset until) =>
        gate.IsAllowed ? new(true, gate.IsProbe, null, null, pause, until) : gate;

    /// <summary>This gate as it applies to an email of <paramref name="category"/>: closed for marketing while marketing is paused.</summary>
    public AccountGate For(EmailCategory category) =>
        category == EmailCategory.Marketing && MarketingPause is { } pause ? Blocked(pause, MarketingPausedUntil) : this;
}
