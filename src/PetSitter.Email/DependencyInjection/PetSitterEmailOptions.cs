namespace PetSitter.Email;

/// <summary>Library-wide options, set with <c>services.AddPetSitterEmail(options => ...)</c> and validated at start.</summary>
public sealed class PetSitterEmailOptions
{
    /// <summary>The token in <see cref="NativeDisplayNameFormat"/> replaced by the business's name.</summary>
    public const string BusinessToken = "{Business}";

    /// <summary>Gets or sets the address the native channel sends from. Default: <c>mailer@petsoftware.net</c>.</summary>
    public string PlatformFromAddress { get; set; } = "mailer@petsoftware.net";

    /// <summary>
    /// Gets or sets the display name of native mail; <c>{Business}</c> is replaced by the business's name.
    /// Default: <c>{Business} via Pet Sitter Plus</c>.
    /// </summary>
    public string NativeDisplayNameFormat { get; set; } = "{Business} via Pet Sitter Plus";

    /// <summary>
    /// Gets or sets the most SMTP connections open at once to one account (Microsoft 365 allows 3 per
    /// mailbox). An account's own <see cref="SmtpAccountSettings.MaxConnections"/> overrides it. Range 1-100. Default: 3.
    /// </summary>
    public int MaxConnectionsPerAccount { get; set; } = 3;

    /// <summary>Gets or sets how long one SMTP operation (connect, a command, the message upload) may take. Range 1 s - 10 min. Default: 30 seconds.</summary>
    public TimeSpan SmtpTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how long an unused pooled SMTP connection is kept before it is closed. Range 1 s - 1 h. Default: 60 seconds.</summary>
    public TimeSpan ConnectionIdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets or sets how long an SMTP send may wait for a free pooled connection. Range 1 s - 10 min. Default: 30 seconds.</summary>
    public TimeSpan ConnectionWaitTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets how many times a send that failed for a transient reason (a 4xx reply, a connection
    /// lost before the message was handed over) is retried on SMTP before the fallback policy applies.
    /// Never used once the server may have the message. Range 0-5. Default: 2.
    /// </summary>
    public int SmtpRetryAttempts { get; set; } = 2;

    /// <summary>Gets or sets the first retry's delay; later ones grow exponentially, with jitter. Range 0 s - 1 min. Default: 1 second.</summary>
    public TimeSpan SmtpRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets or sets how long one SMTP attempt (connect, sign in, send) may take in all before it is
    /// abandoned as not sent. Must be at least <see cref="SmtpTimeout"/>. Range 1 s - 30 min. Default: 2 minutes.
    /// </summary>
    public TimeSpan SmtpAttemptTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Formats the native display name for a business.</summary>
    /// <param name="businessName">The business's name.</param>
    /// <returns>The display name, for example "Paws and Claws via Pet Sitter Plus".</returns>
    public string FormatNativeDisplayName(string businessName) =>
        NativeDisplayNameFormat.Replace(BusinessToken, businessName, StringComparison.Ordinal);
}
