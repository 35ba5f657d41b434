namespace PetSitter.Email;

/// <summary>
/// Options of the one-click unsubscribe endpoint (<c>UseOneClickUnsubscribe</c>, <c>MapPetSitterEmailUnsubscribe</c>).
/// Validated when the host starts.
/// </summary>
public sealed class OneClickUnsubscribeOptions
{
    /// <summary>The default of <see cref="TokenLifetime"/>: 60 days.</summary>
    public static readonly TimeSpan DefaultTokenLifetime = TimeSpan.FromDays(60);

    /// <summary>
    /// Gets or sets the public https URL at which clients reach the endpoint, as mailbox providers will see it:
    /// for example <c>https://app.example/email/unsubscribe</c> when the app maps it at the default pattern behind
    /// <c>https://app.example</c>. The library appends <c>?token=...</c>. It must be absolute https, with no query,
    /// fragment, user name or password. Required; no default.
    /// </summary>
    public Uri? EndpointUrl { get; set; }

    /// <summary>
    /// Gets or sets how long a link stays valid after the email carrying it was sent: long enough for a client to
    /// unsubscribe from last month's newsletter, short enough that a leaked link stops working. After it, the link
    /// is refused (the client can still reply or use a newer email's link). Between 1 hour and 400 days.
    /// Default: 60 days (<see cref="DefaultTokenLifetime"/>).
    /// </summary>
    public TimeSpan TokenLifetime { get; set; } = DefaultTokenLifetime;
}
