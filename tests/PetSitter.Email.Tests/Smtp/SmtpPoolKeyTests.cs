namespace PetSitter.Email.Tests.Smtp;

public class SmtpPoolKeyTests
{
    private static readonly SmtpAccountSettings Account = new()
    {
        Host = "smtp.office365.com",
        Port = 587,
        UserName = "hello@paws.example",
        Password = "first-password",
        FromAddress = "hello@paws.example",
    };

    [Fact]
    public void The_same_connection_settings_give_the_same_key_whatever_the_sender()
    {
        var upper = new SmtpAccountSettings
        {
            Host = "smtp.office365.com",
            Port = 587,
            UserName = "hello@paws.example",
            Password = "first-password",
            FromAddress = "someone-else@paws.example",
        };

        SmtpPoolKey.For(upper, 3).Should().Be(SmtpPoolKey.For(Account, 3), "the sender address does not change the connection");
    }

    [Fact]
    public void A_changed_password_gives_a_new_key_for_the_same_mailbox()
    {
        var changed = Copy(password: "second-password");

        var before = SmtpPoolKey.For(Account, 3);
        var after = SmtpPoolKey.For(changed, 3);

        after.Should().NotBe(before);
        after.Mailbox.Should().Be(before.Mailbox);
    }

    [Fact]
    public void The_key_never_holds_or_shows_the_password()
    {
        var key = SmtpPoolKey.For(Account, 3);

        key.CredentialFingerprint.Should().NotContain("first-password");
        key.ToString().Should().NotContain(key.CredentialFingerprint).And.NotContain("first-password");
    }

    [Theory]
    [InlineData(SmtpSecurity.Auto, 465, SmtpSecurity.ImplicitTls)]
    [InlineData(SmtpSecurity.Auto, 587, SmtpSecurity.StartTls)]
    [InlineData(SmtpSecurity.StartTls, 465, SmtpSecurity.StartTls)]
    public void The_key_holds_the_effective_security(SmtpSecurity security, int port, SmtpSecurity expected)
    {
        var account = new SmtpAccountSettings { Host = "mx.example", Port = port, Security = security, FromAddress = "a@example.com" };

        SmtpPoolKey.For(account, 3).Security.Should().Be(expected);
    }

    [Fact]
    public void The_cap_comes_from_the_account_or_else_the_default()
    {
        SmtpPoolKey.For(Account, 3).MaxConnections.Should().Be(3);
        SmtpPoolKey.For(Copy(maxConnections: 1), 3).MaxConnections.Should().Be(1);
    }

    [Fact]
    public void Plain_auth_permission_and_trusted_authorities_are_part_of_the_key()
    {
        using var authority = TestCertificates.CreateAuthority("Key CA");

        SmtpPoolKey.For(Copy(allowPlain: true), 3).Should().NotBe(SmtpPoolKey.For(Account, 3));
        SmtpPoolKey.For(Copy(authorities: [authority]), 3).Should().NotBe(SmtpPoolKey.For(Account, 3));
    }

    private static SmtpAccountSettings Copy(string? password = null, int? maxConnections = null, bool allowPlain = false, IReadOnlyList<System.Security.Cryptography.X509Certificates.X509Certificate2>? authorities = null) => new()
    {
        Host = Account.Host,
        Port = Account.Port,
        UserName = Account.UserName,
        Password = password ?? Account.Password,
        FromAddress = Account.FromAddress,
        MaxConnections = maxConnections,
        AllowAuthenticationWithoutTls = allowPlain,
        TrustedCertificateAuthorities = authorities ?? [],
    };
}
