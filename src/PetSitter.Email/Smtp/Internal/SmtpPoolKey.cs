namespace PetSitter.Email.Smtp;

/// <summary>
/// What makes two SMTP accounts share pooled connections: the same server, security, credentials
/// (by fingerprint, never the password), plain-auth permission, trusted authorities and cap.
/// </summary>
/// <remarks><see cref="ToString"/> leaves the credential fingerprint out: it is derived from the password.</remarks>
internal sealed record SmtpPoolKey(
    string Host,
    int Port,
    SmtpSecurity Security,
    string? UserName,
    string CredentialFingerprint,
    bool AllowAuthenticationWithoutTls,
    string TrustedAuthorities,
    int MaxConnections)
{
    /// <summary>Gets the mailbox the key belongs to; a changed key for the same mailbox replaces its pool.</summary>
    public SmtpMailboxIdentity Mailbox => new(Host, Port, UserName);

    public static SmtpPoolKey For(SmtpAccountSettings account, int defaultMaxConnections)
    {
        ArgumentNullException.ThrowIfNull(account);
        return new SmtpPoolKey(
            NormalizeHost(account.Host),
            account.Port,
            account.EffectiveSecurity,
            string.IsNullOrEmpty(account.UserName) ? null : account.UserName,
            account.CredentialFingerprint(),
            account.AllowAuthenticationWithoutTls,
            CertificateThumbprints.Of(account.TrustedCertificateAuthorities),
            account.MaxConnections ?? defaultMaxConnections);
    }

    internal static string NormalizeHost(string host) => host.Trim().TrimEnd('.').ToLowerInvariant();

    /// <inheritdoc />
    public override string ToString() => $"{Host}:{Port} ({Security})";
}
