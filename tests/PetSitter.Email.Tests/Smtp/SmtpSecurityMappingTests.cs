using PetSitter.Email.Tests.Secrets;
using MailKit.Security;

namespace PetSitter.Email.Tests.Smtp;

public class SmtpSecurityMappingTests
{
    [Theory]
    [InlineData(SmtpSecurity.Auto, 465, SecureSocketOptions.SslOnConnect)]
    [InlineData(SmtpSecurity.Auto, 587, SecureSocketOptions.StartTls)]
    [InlineData(SmtpSecurity.Auto, 25, SecureSocketOptions.StartTls)]
    [InlineData(SmtpSecurity.ImplicitTls, 2465, SecureSocketOptions.SslOnConnect)]
    [InlineData(SmtpSecurity.StartTls, 465, SecureSocketOptions.StartTls)]
    [InlineData(SmtpSecurity.None, 25, SecureSocketOptions.None)]
    public void Security_maps_to_a_strict_MailKit_option(SmtpSecurity security, int port, SecureSocketOptions expected)
    {
        var account = new SmtpAccountSettings { Host = "mx.example", Port = port, Security = security, FromAddress = "a@example.com" };

        SmtpSecurityMapping.ToSocketOptions(account).Should().Be(expected);
    }

    [Fact]
    public void Unresolved_auto_is_never_passed_to_MailKit()
    {
        FluentActions.Invoking(() => SmtpSecurityMapping.ToSocketOptions(SmtpSecurity.Auto)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Theory]
    [InlineData(SmtpSecurity.None, "user", false, true)]
    [InlineData(SmtpSecurity.None, "user", true, false)]
    [InlineData(SmtpSecurity.None, null, false, false)]
    [InlineData(SmtpSecurity.StartTls, "user", false, false)]
    public void Plain_authentication_is_refused_only_without_tls_and_without_permission(SmtpSecurity security, string? user, bool allow, bool refused)
    {
        var account = new SmtpAccountSettings
        {
            Host = "mx.example",
            Port = 25,
            Security = security,
            UserName = user,
            Password = user is null ? null : TestSecrets.TransportPassword,
            AllowAuthenticationWithoutTls = allow,
            FromAddress = "a@example.com",
        };

        SmtpSecurityMapping.RefusesPlainAuthentication(account).Should().Be(refused);
    }
}
