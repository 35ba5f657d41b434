namespace PetSitter.Email.Tests.Failures;

public class KnownSmtpProvidersTests
{
    [Theory]
    [InlineData("smtp.gmail.com", nameof(KnownSmtpProvider.Gmail))]
    [InlineData("SMTP.Gmail.COM.", nameof(KnownSmtpProvider.Gmail))]
    [InlineData("smtp.googlemail.com", nameof(KnownSmtpProvider.Gmail))]
    [InlineData("smtp.office365.com", nameof(KnownSmtpProvider.Microsoft365))]
    [InlineData("paws-example.mail.protection.outlook.com", nameof(KnownSmtpProvider.Microsoft365))]
    [InlineData("smtp-mail.outlook.com", nameof(KnownSmtpProvider.OutlookCom))]
    [InlineData("smtp.mail.yahoo.com", nameof(KnownSmtpProvider.Yahoo))]
    [InlineData("smtp.aol.com", nameof(KnownSmtpProvider.Aol))]
    [InlineData("smtp.mail.me.com", nameof(KnownSmtpProvider.ICloud))]
    [InlineData("smtppro.zoho.eu", nameof(KnownSmtpProvider.Zoho))]
    [InlineData("smtp.fastmail.com", nameof(KnownSmtpProvider.Fastmail))]
    [InlineData("smtpout.secureserver.net", nameof(KnownSmtpProvider.GoDaddy))]
    [InlineData("smtp.ionos.com", nameof(KnownSmtpProvider.Ionos))]
    [InlineData("smtp.titan.email", nameof(KnownSmtpProvider.Titan))]
    [InlineData("mail.pawsandclaws.example", nameof(KnownSmtpProvider.Unknown))]
    [InlineData("notgmail.com", nameof(KnownSmtpProvider.Unknown))]
    [InlineData("smtp.gmail.com.evil.example", nameof(KnownSmtpProvider.Unknown))]
    [InlineData("", nameof(KnownSmtpProvider.Unknown))]
    [InlineData(null, nameof(KnownSmtpProvider.Unknown))]
    public void FromHost_recognises_providers_by_domain_not_by_substring(string? host, string expected) =>
        KnownSmtpProviders.FromHost(host).ToString().Should().Be(expected);

    [Theory]
    [InlineData("5.7.8 Username and Password not accepted. - gsmtp", nameof(KnownSmtpProvider.Gmail))]
    [InlineData("5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException", nameof(KnownSmtpProvider.Microsoft365))]
    [InlineData("5.7.139 Visit https://aka.ms/smtp_auth_disabled for more information.", nameof(KnownSmtpProvider.Microsoft365))]
    [InlineData("5.1.1 User unknown", nameof(KnownSmtpProvider.Unknown))]
    public void FromReply_recognises_a_providers_signature(string reply, string expected) =>
        KnownSmtpProviders.FromReply(reply).ToString().Should().Be(expected);
}
