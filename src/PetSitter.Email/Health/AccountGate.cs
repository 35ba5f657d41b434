namespace PetSitter.Email;

/// <summary>
/// The breaker's answer before an SMTP send: go ahead (possibly as the one probe of a failing account),
/// or do not try, because of <see cref="Failure"/>, until <see cref="RetryAt"/>.
/// </summary>
internal readonly record struct AccountGate
{
    private AccountGate(bool isAllowed, bool isProbe, SmtpFailure? failure, DateTimeOffset? retryAt)
    {
        IsAllowed = isAllowed;
        IsProbe = isProbe;
        Failure = failure;
        RetryAt = retryAt;
    }

    public static AccountGate Allowed { get; } = new(true, false, null, null);

    public static AccountGate Probe { get; } = new(true, true, null, null);

    /// <summary>Gets whether SMTP may be tried now.</summary>
    public bool IsAllowed { get; }

    /// <summary>Gets whether this send is the single probe of a failing account: its result decides the state.</summary>
    public bool IsProbe { get; }

    /// <summary>Gets the account-level failure that keeps SMTP closed; <see langword="null"/> when allowed.</summary>
    public SmtpFailure? Failure { get; }

    /// <summary>Gets when the account may send (or be probed) again; <see langword="null"/> when allowed.</summary>
    public DateTimeOffset? RetryAt { get; }

    public static AccountGate Blocked(SmtpFailure failure, DateTimeOffset retryAt) => new(false, false, failure, retryAt);
}
