using PetSitter.Email.Tests.Secrets;
using PetSitter.Email.Tests.Support;

namespace PetSitter.Email.Tests.Settings;

public class SettingsValidationTests
{
    [Fact]
    public void Valid_settings_have_no_errors() =>
        TestData.Business(smtp: TestData.Account()).Validate().Should().BeEmpty();

    [Theory]
    [InlineData(0)]
    [InlineData(65536)]
    [InlineData(-25)]
    public void Port_out_of_range_names_the_field_and_the_usual_ports(int port)
    {
        var errors = TestData.Account(port: port).Validate("Smtp.");

        errors.Should().ContainSingle().Which.Should().StartWith("Smtp.Port").And.Contain("587").And.Contain("465");
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("smtp gmail com")]
    public void Empty_or_malformed_host_names_the_field(string host)
    {
        var account = new SmtpAccountSettings { Host = host, FromAddress = "a@b.example" };

        account.Validate().Should().ContainSingle().Which.Should().StartWith("Host");
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-an-address")]
    [InlineData("Paws <hello@paws.example>")]
    [InlineData("hello@paws.example\r\nBcc: victim@example.com")]
    public void From_address_must_be_one_plain_address(string from)
    {
        var account = new SmtpAccountSettings { Host = "smtp.paws.example", FromAddress = from };

        account.Validate().Should().ContainSingle().Which.Should().StartWith("FromAddress");
    }

    [Fact]
    public void A_password_without_a_user_name_is_reported()
    {
        var account = new SmtpAccountSettings { Host = "smtp.paws.example", FromAddress = "a@paws.example", Password = TestSecrets.TransportPassword };

        account.Validate().Should().ContainSingle().Which.Should().StartWith("UserName");
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var account = new SmtpAccountSettings { Host = "", Port = 0, FromAddress = "nope", MaxConnections = 0 };

        account.Validate().Should().HaveCount(4);
    }

    [Fact]
    public void Business_level_fields_are_checked()
    {
        var business = new BusinessEmailSettings { BusinessId = " ", BusinessName = "", ReplyToAddress = "x" };

        business.Validate().Should().HaveCount(3)
            .And.Contain(e => e.StartsWith("BusinessId", StringComparison.Ordinal))
            .And.Contain(e => e.StartsWith("BusinessName", StringComparison.Ordinal))
            .And.Contain(e => e.StartsWith("ReplyToAddress", StringComparison.Ordinal));
    }

    [Fact]
    public void Smtp_errors_are_prefixed_and_skipped_when_smtp_is_disabled()
    {
        var broken = new SmtpAccountSettings { Host = "", FromAddress = "hello@paws.example" };

        TestData.Business(smtp: broken).Validate().Should().ContainSingle().Which.Should().StartWith("Smtp.Host");
        TestData.Business(smtp: broken, smtpEnabled: false).Validate().Should().BeEmpty();
    }

    [Fact]
    public void ToString_never_shows_the_password()
    {
        var account = TestData.Account();
        var business = TestData.Business(smtp: account);

        account.ToString().Should().NotContain(account.Password).And.Contain("***");
        business.ToString().Should().NotContain(account.Password);
    }

    [Fact]
    public void Auto_security_means_implicit_tls_on_465_and_starttls_elsewhere()
    {
        TestData.Account(port: 465).EffectiveSecurity.Should().Be(SmtpSecurity.ImplicitTls);
        TestData.Account(port: 587).EffectiveSecurity.Should().Be(SmtpSecurity.StartTls);
        TestData.Account(port: 25).EffectiveSecurity.Should().Be(SmtpSecurity.StartTls);
    }

    [Fact]
    public void Validation_remembered_for_one_prefix_is_not_returned_for_another()
    {
        var account = new SmtpAccountSettings { Host = "smtp.paws.example", Port = 0, FromAddress = "hello@paws.example" };

        account.Validate("Smtp.").Should().ContainSingle().Which.Should().StartWith("Smtp.Port 0");
        account.Validate().Should().ContainSingle().Which.Should().StartWith("Port 0");
        account.Validate("Smtp.").Should().ContainSingle().Which.Should().StartWith("Smtp.Port 0");
    }

    [Fact]
    public void Validation_results_cannot_be_changed_by_a_caller()
    {
        var account = new SmtpAccountSettings { Host = "smtp.paws.example", Port = 0, FromAddress = "hello@paws.example" };
        var business = new BusinessEmailSettings { BusinessId = "paws", BusinessName = "", ReplyToAddress = "office@paws.example" };

        account.Validate().Should().NotBeAssignableTo<List<string>>();
        business.ValidateBusiness().Should().NotBeAssignableTo<List<string>>();
        business.ValidateBusiness().Should().ContainSingle().Which.Should().StartWith("BusinessName");
    }
}
