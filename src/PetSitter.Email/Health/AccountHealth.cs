namespace PetSitter.Email;

/// <summary>
/// A snapshot of one SMTP account's health: its state, what went wrong, what the owner should do and
/// when it may send again. Immutable.
/// </summary>
/// <remarks>Carries the server's reply, never a password or token; <see cref="ToString"/> shows no secret.</remarks>
public sealed class AccountHealth
{
    /// <summary>Creates a snapshot.</summary>
    /// <param name="businessId">The business the account belongs to.</param>
    /// <param name="state">The account's state.</param>
    /// <param name="kind">The failure behind a state other than <see cref="AccountHealthState.Healthy"/>.</param>
    /// <param name="advice">What the owner should do, in plain words.</param>
    /// <param name="since">When the account entered this state, if known.</param>
    /// <param name="until">When it is throttled until, or when SMTP is next probed.</param>
    /// <param name="lastReply">The server's reply behind the state (never a secret).</param>
    /// <exception cref="ArgumentException"><paramref name="businessId"/> is empty or white space.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="state"/> is not a defined state.</exception>
    internal AccountHealth(
        string businessId,
        AccountHealthState state,
        SmtpFailureKind? kind = null,
        string? advice = null,
        DateTimeOffset? since = null,
        DateTimeOffset? until = null,
        string? lastReply = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(businessId);
        if (state is not (AccountHealthState.Healthy or AccountHealthState.Throttled or AccountHealthState.Failing))
        {
            throw new ArgumentOutOfRangeException(nameof(state), state, $"'{(int)state}' is not an AccountHealthState. Use Healthy, Throttled or Failing.");
        }

        BusinessId = businessId;
        State = state;
        Kind = kind;
        Advice = advice;
        Since = since;
        Until = until;
        LastReply = lastReply;
    }

    /// <summary>Gets the business the account belongs to.</summary>
    public string BusinessId { get; }

    /// <summary>Gets the account's state.</summary>
    public AccountHealthState State { get; }

    /// <summary>Gets whether the account sends normally.</summary>
    public bool IsHealthy => State == AccountHealthState.Healthy;

    /// <summary>Gets the kind of failure behind a throttled or failing state; <see langword="null"/> when healthy.</summary>
    public SmtpFailureKind? Kind { get; }

    /// <summary>
    /// Gets what the owner should do, for example "Your SMTP password appears to be wrong: update it in
    /// Custom SMTP Configuration."; <see langword="null"/> when healthy.
    /// </summary>
    public string? Advice { get; }

    /// <summary>
    /// Gets what the owner must do before the account sends again, as data for the app's button
    /// (<see cref="RequiredAction.Reconnect"/>, <see cref="RequiredAction.ConnectWithOAuth"/>);
    /// <see cref="RequiredAction.None"/> when healthy or when the advice alone says what to do.
    /// </summary>
    public RequiredAction RequiredAction { get; internal init; }

    /// <summary>Gets the question of "What can go wrong with SMTP?" the failure answers; <see langword="null"/> when healthy.</summary>
    public string? Question => Kind is { } kind ? SmtpFailureQuestions.For(kind) : null;

    /// <summary>Gets when the account entered this state, or <see langword="null"/> when nothing is known about it.</summary>
    public DateTimeOffset? Since { get; }

    /// <summary>
    /// Gets when a throttled account may send again, or when a failing account's SMTP is next tried (a
    /// time in the past means a probe is due or under way); <see langword="null"/> when healthy.
    /// </summary>
    public DateTimeOffset? Until { get; }

    /// <summary>Gets the server's reply (or the error's description) behind the state; never a secret.</summary>
    public string? LastReply { get; }

    /// <summary>Creates a healthy snapshot.</summary>
    /// <param name="businessId">The business.</param>
    /// <param name="since">When it became healthy, if known.</param>
    /// <returns>The snapshot.</returns>
    public static AccountHealth Healthy(string businessId, DateTimeOffset? since = null) =>
        new(businessId, AccountHealthState.Healthy, since: since);

    /// <inheritdoc />
    public override string ToString() => State switch
    {
        AccountHealthState.Healthy => $"{BusinessId}: healthy",
        AccountHealthState.Throttled => $"{BusinessId}: throttled ({Kind}) until {Until:O}: {Advice}",
        _ => $"{BusinessId}: failing ({Kind}) since {Since:O}, next try {Until:O}: {Advice}",
    };
}
