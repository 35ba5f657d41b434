using MailKit.Security;

namespace PetSitter.Email.Smtp;

/// <summary>Maps the library's <see cref="SmtpSecurity"/> to MailKit's options, never to an opportunistic mode.</summary>
internal static class SmtpSecurityMapping
{
    /// <summary>The MailKit options for an account: Auto resolved by port first, STARTTLS always required.</summary>
    public static SecureSocketOptions ToSocketOptions(SmtpAccountSettings account)
    {
        ArgumentNullException.ThrowIfNull(account);
        return ToSocketOptions(account.EffectiveSecurity);
    }

    public static SecureSocketOptions ToSocketOptions(SmtpSecurity effectiveSecurity) => effectiveSecurity switch
    {
        SmtpSecurity.ImplicitTls => SecureSocketOptions.SslOnConnect,
        SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
        SmtpSecurity.None => SecureSocketOptions.None,

        // Auto must be resolved by port (SmtpAccountSettings.EffectiveSecurity) before it gets here:
        // MailKit's own Auto would fall back to an unencrypted connection.
        _ => throw new ArgumentOutOfRangeException(nameof(effectiveSecurity), effectiveSecurity, "Resolve the security mode with SmtpAccountSettings.EffectiveSecurity first."),
    };

    /// <summary>Whether signing in must be refused before connecting: a user name, no TLS, and no permission.</summary>
    public static bool RefusesPlainAuthentication(SmtpAccountSettings account) =>
        !string.IsNullOrEmpty(account.UserName)
        && account.EffectiveSecurity == SmtpSecurity.None
        && !account.AllowAuthenticationWithoutTls;

    public static SmtpTransportException PlainAuthenticationRefused(string endpoint) =>
        new(SmtpStage.Authenticate, null, $"Signing in to {endpoint} requires TLS: refusing to send the password over an unencrypted connection; use TLS or set AllowAuthenticationWithoutTls.");
}
