using System.Globalization;

namespace PetSitter.Email.Extensibility;

/// <summary>
/// The answer of an <see cref="ISendQuotaStore"/> to "may this account send this message now?": allowed,
/// or refused with the limit that refused it and how long until trying again can succeed.
/// </summary>
/// <remarks>A refusal is a value, not an exception: refusing costs no allocation.</remarks>
public readonly struct QuotaDecision : IEquatable<QuotaDecision>
{
    // Unchecked: the in-memory store's hot path passes only defined windows and positive waits.
    internal QuotaDecision(LimitWindow window, TimeSpan retryAfter)
    {
        Window = window;
        RetryAfter = retryAfter;
    }

    /// <summary>Gets whether the send may go ahead (it has been counted).</summary>
    public bool IsAllowed => Window == LimitWindow.None;

    /// <summary>Gets the limit that refused the send, or <see cref="LimitWindow.None"/> when it was allowed.</summary>
    public LimitWindow Window { get; }

    /// <summary>
    /// Gets how long until the same send can be allowed, assuming nothing else is sent meanwhile;
    /// <see cref="TimeSpan.Zero"/> when allowed, and meaningless for <see cref="LimitWindow.RecipientsPerMessage"/>
    /// (no wait helps).
    /// </summary>
    public TimeSpan RetryAfter { get; }

    /// <summary>Gets whether waiting can ever make this send allowed.</summary>
    public bool CanRetry => Window != LimitWindow.RecipientsPerMessage;

    /// <summary>Creates an allowing decision.</summary>
    /// <returns>A decision whose <see cref="IsAllowed"/> is <see langword="true"/>.</returns>
    public static QuotaDecision Allow() => default;

    /// <summary>Creates a refusal.</summary>
    /// <param name="window">The limit that refused the send; not <see cref="LimitWindow.None"/>.</param>
    /// <param name="retryAfter">How long until the send can be allowed; not negative.</param>
    /// <returns>A refusing decision.</returns>
    public static QuotaDecision Refuse(LimitWindow window, TimeSpan retryAfter)
    {
        if (window == LimitWindow.None || !Enum.IsDefined(window))
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, "A refusal names the limit that refused the send.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(retryAfter, TimeSpan.Zero);
        return new QuotaDecision(window, retryAfter);
    }

    /// <summary>Compares two decisions.</summary>
    /// <param name="left">The first decision.</param>
    /// <param name="right">The second decision.</param>
    /// <returns>Whether they are equal.</returns>
    public static bool operator ==(QuotaDecision left, QuotaDecision right) => left.Equals(right);

    /// <summary>Compares two decisions.</summary>
    /// <param name="left">The first decision.</param>
    /// <param name="right">The second decision.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(QuotaDecision left, QuotaDecision right) => !left.Equals(right);

    /// <inheritdoc />
    public bool Equals(QuotaDecision other) => Window == other.Window && RetryAfter == other.RetryAfter;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is QuotaDecision other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Window, RetryAfter);

    /// <inheritdoc />
    public override string ToString() => Window switch
    {
        LimitWindow.None => "allowed",
        LimitWindow.RecipientsPerMessage => "refused: too many recipients for one message",
        _ => string.Create(CultureInfo.InvariantCulture, $"refused by {Window}, retry after {RetryAfter}"),
    };
}
