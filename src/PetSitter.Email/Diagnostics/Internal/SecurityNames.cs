namespace PetSitter.Email.Diagnostics;

/// <summary>Security modes in the words settings screens use.</summary>
internal static class SecurityNames
{
    public static string ForOwner(SmtpSecurity security) => security switch
    {
        SmtpSecurity.ImplicitTls => "SSL/TLS",
        SmtpSecurity.StartTls => "STARTTLS",
        SmtpSecurity.None => "no encryption",
        _ => "automatic security",
    };
}
