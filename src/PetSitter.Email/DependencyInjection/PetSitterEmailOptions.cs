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

    /// <summary>Formats the native display name for a business.</summary>
    /// <param name="businessName">The business's name.</param>
    /// <returns>The display name, for example "Paws and Claws via Pet Sitter Plus".</returns>
    public string FormatNativeDisplayName(string businessName) =>
        NativeDisplayNameFormat.Replace(BusinessToken, businessName, StringComparison.Ordinal);
}
