using PetSitter.Email.Testing;
using PetSitter.Email.Tests.Support;

namespace PetSitter.Email.Tests.Settings;

public sealed class SettingsFingerprintTests
{
    public static TheoryData<string> Corrections => new()
    {
        "host", "port", "security", "user name", "password", "from address", "plain auth", "trusted authority", "connection cap", "provider", "limits",
    };

    [Theory]
    [MemberData(nameof(Corrections))]
    public void Every_setting_an_owner_may_correct_changes_the_fingerprint(string correction)
    {
        var account = TestData.Account();

        var corrected = Correct(account, correction);

        corrected.SettingsFingerprint().Should().NotBe(account.SettingsFingerprint());
    }

    [Fact]
    public void The_same_settings_give_the_same_fingerprint_without_the_password_in_it()
    {
        var account = TestData.Account();

        Correct(account, "nothing").SettingsFingerprint().Should().Be(account.SettingsFingerprint());
        account.SettingsFingerprint().Should().NotContain(account.Password).And.HaveLength(16);
    }

    private static SmtpAccountSettings Correct(SmtpAccountSettings a, string correction) => new()
    {
        Host = correction == "host" ? "smtp.other.example" : a.Host,
        Port = correction == "port" ? 465 : a.Port,
        Security = correction == "security" ? SmtpSecurity.StartTls : a.Security,
        UserName = correction == "user name" ? "office@paws.example" : a.UserName,
        Password = correction == "password" ? "n3w-Secret!" : a.Password,
        FromAddress = correction == "from address" ? "office@paws.example" : a.FromAddress,
        AllowAuthenticationWithoutTls = correction == "plain auth" ? !a.AllowAuthenticationWithoutTls : a.AllowAuthenticationWithoutTls,
        TrustedCertificateAuthorities = correction == "trusted authority" ? [TestCertificateAuthority.Shared.Certificate] : a.TrustedCertificateAuthorities,
        MaxConnections = correction == "connection cap" ? 1 : a.MaxConnections,
        Provider = correction == "provider" ? "Gmail" : a.Provider,
        Limits = correction == "limits" ? new SendLimits { MessagesPerHour = 20 } : a.Limits,
    };
}
