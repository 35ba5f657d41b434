namespace PetSitter.Email.Tests.Limits;

public class SmtpAccountSettingsLimitsTests
{
    [Fact]
    public void Without_a_provider_the_preset_is_detected_from_the_host()
    {
        var settings = Account("smtp.office365.com");

        settings.EffectiveLimits().Should().Be(ProviderPresets.Microsoft365.Limits);
        settings.Validate().Should().BeEmpty();
    }

    [Fact]
    public void A_named_provider_wins_over_detection()
    {
        var settings = Account("smtp.gmail.com", "Google Workspace");

        settings.EffectiveLimits().Should().Be(ProviderPresets.GoogleWorkspace.Limits);
    }

    [Fact]
    public void Overrides_replace_the_preset_field_by_field()
    {
        var settings = Account("smtp.gmail.com", limits: new SendLimits { MessagesPerDay = 400, MessagesPerHour = 60 });

        settings.EffectiveLimits().Should().Be(new SendLimits { MessagesPerSecond = 2, MessagesPerHour = 60, MessagesPerDay = 400, RecipientsPerMessage = 100 });
    }

    [Fact]
    public void The_custom_provider_applies_only_the_accounts_own_limits()
    {
        var own = new SendLimits { MessagesPerDay = 5_000 };

        Account("smtp.gmail.com", "Custom", own).EffectiveLimits().Should().Be(own);
        Account("smtp.gmail.com", "Custom").EffectiveLimits().Should().Be(SendLimits.None);
    }

    [Fact]
    public void An_unknown_host_has_only_the_accounts_own_limits()
    {
        Account("mail.pawsandclaws.example").EffectiveLimits().Should().Be(SendLimits.None);
        Account("mail.pawsandclaws.example", limits: new SendLimits { MessagesPerHour = 100 }).EffectiveLimits()
            .Should().Be(new SendLimits { MessagesPerHour = 100 });
    }

    [Fact]
    public void An_unknown_provider_name_is_an_error_listing_the_valid_names()
    {
        var errors = Account("smtp.gmail.com", "Hotmail").Validate("Smtp.");

        errors.Should().ContainSingle().Which.Should()
            .StartWith("Smtp.Provider 'Hotmail' is not a known provider")
            .And.Contain("Gmail, Google Workspace, Microsoft 365, Outlook.com");
    }

    [Fact]
    public void A_bad_override_is_reported_with_its_field_path()
    {
        var errors = Account("smtp.mail.yahoo.com", limits: new SendLimits { MessagesPerDay = 0 }).Validate("Smtp.");

        errors.Should().ContainSingle().Which.Should().StartWith("Smtp.Limits.MessagesPerDay 0 is out of range");
    }

    [Fact]
    public void An_override_that_clashes_with_the_preset_is_reported()
    {
        // Outlook.com allows 300 recipients a day; 400 in one message could never go.
        var errors = Account("smtp-mail.outlook.com", limits: new SendLimits { RecipientsPerMessage = 400 }).Validate();

        errors.Should().ContainSingle().Which.Should().Contain("RecipientsPerMessage 400 is more than Limits.RecipientsPerDay 300");
    }

    [Fact]
    public void The_documented_example_gives_the_documented_limits()
    {
        // Kept in step with docs/send-limits.md, "Picking and overriding a preset".
        var smtp = new SmtpAccountSettings
        {
            Host = "smtp.gmail.com",
            FromAddress = "hello@pawsandclaws.example",
            Provider = "Google Workspace",                     // null: detect from Host
            Limits = new SendLimits { MessagesPerDay = 500 },  // a trial account: override one field
        };

        smtp.Validate().Should().BeEmpty();
        smtp.EffectiveLimits().ToString().Should().Be("2/s, 500/day, 3000 recipients/day, 100 recipients/message");
    }

    [Fact]
    public void The_password_stays_out_of_the_description()
    {
        var settings = new SmtpAccountSettings
        {
            Host = "smtp.gmail.com",
            FromAddress = "owner@paws.example",
            UserName = "owner@paws.example",
            Password = "hunter2-secret",
            Provider = "Gmail",
            Limits = new SendLimits { MessagesPerDay = 100 },
        };

        settings.ToString().Should().NotContain("hunter2");
    }

    private static SmtpAccountSettings Account(string host, string? provider = null, SendLimits? limits = null) => new()
    {
        Host = host,
        FromAddress = "owner@paws.example",
        Provider = provider,
        Limits = limits,
    };
}
