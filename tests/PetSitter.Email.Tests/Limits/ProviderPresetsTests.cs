namespace PetSitter.Email.Tests.Limits;

public class ProviderPresetsTests
{
    public static TheoryData<string> PresetNames() => [.. ProviderPresets.Names];

    [Theory]
    [MemberData(nameof(PresetNames))]
    public void Every_preset_is_valid_and_says_where_its_figures_come_from(string name)
    {
        var preset = ProviderPresets.Find(name)!;

        preset.Limits.Validate().Should().BeEmpty();
        preset.Source.Should().NotBeNullOrWhiteSpace();
        preset.Notes.Should().NotBeNullOrWhiteSpace();
        preset.Hosts.Where(host => host.Any(char.IsUpper)).Should().BeEmpty();
    }

    [Fact]
    public void The_required_providers_are_all_there_with_unique_names()
    {
        ProviderPresets.Names.Should().OnlyHaveUniqueItems();
        ProviderPresets.Names.Should().Contain(
            ["Gmail", "Google Workspace", "Microsoft 365", "Outlook.com", "Yahoo", "iCloud", "Zoho", "IONOS", "GoDaddy", "Fastmail", "AOL", "Titan", "Custom"]);
    }

    [Theory]
    [InlineData("smtp.gmail.com", "Gmail")]
    [InlineData("SMTP.Gmail.com.", "Gmail")]
    [InlineData(" smtp.gmail.com ", "Gmail")]
    [InlineData("smtp.office365.com", "Microsoft 365")]
    [InlineData("smtp-mail.outlook.com", "Outlook.com")]
    [InlineData("smtp.mail.yahoo.com", "Yahoo")]
    [InlineData("smtp.aol.com", "AOL")]
    [InlineData("smtp.mail.me.com", "iCloud")]
    [InlineData("smtp.zoho.com", "Zoho")]
    [InlineData("smtppro.zoho.eu", "Zoho")]
    [InlineData("smtp.ionos.com", "IONOS")]
    [InlineData("smtpout.secureserver.net", "GoDaddy")]
    [InlineData("smtp.fastmail.com", "Fastmail")]
    [InlineData("smtp.titan.email", "Titan")]
    public void Detect_finds_the_provider_by_its_smtp_host(string host, string expected) =>
        ProviderPresets.Detect(host)!.Name.Should().Be(expected);

    [Theory]
    [InlineData("mail.pawsandclaws.example")]
    [InlineData("gmail.com")]
    [InlineData("")]
    [InlineData(null)]
    public void Detect_finds_nothing_for_an_unknown_host(string? host) => ProviderPresets.Detect(host).Should().BeNull();

    [Fact]
    public void Gmail_and_workspace_share_a_host_and_detection_picks_the_stricter_gmail()
    {
        ProviderPresets.GoogleWorkspace.Hosts.Should().BeEquivalentTo(ProviderPresets.Gmail.Hosts);

        ProviderPresets.Detect("smtp.gmail.com").Should().BeSameAs(ProviderPresets.Gmail);
        ProviderPresets.Gmail.Limits.MessagesPerDay.Should().BeLessThan(ProviderPresets.GoogleWorkspace.Limits.MessagesPerDay!.Value);
    }

    [Theory]
    [InlineData("gmail", "Gmail")]
    [InlineData("GOOGLE WORKSPACE", "Google Workspace")]
    [InlineData("googleworkspace", "Google Workspace")]
    [InlineData("microsoft-365", "Microsoft 365")]
    [InlineData("outlook.com", "Outlook.com")]
    [InlineData("OutlookCom", "Outlook.com")]
    [InlineData("icloud", "iCloud")]
    [InlineData("custom", "Custom")]
    public void Find_ignores_case_spaces_and_punctuation(string name, string expected) =>
        ProviderPresets.Find(name)!.Name.Should().Be(expected);

    [Theory]
    [InlineData("Hotmail")]
    [InlineData("Gmail2")]
    [InlineData("")]
    [InlineData(null)]
    public void Find_returns_nothing_for_an_unknown_name(string? name) => ProviderPresets.Find(name).Should().BeNull();

    public static TheoryData<ProviderPreset, SendLimits, bool> PublishedFigures() => new()
    {
        { ProviderPresets.Gmail, new SendLimits { MessagesPerSecond = 2, MessagesPerDay = 500, RecipientsPerMessage = 100 }, false },
        { ProviderPresets.GoogleWorkspace, new SendLimits { MessagesPerSecond = 2, MessagesPerDay = 2_000, RecipientsPerDay = 3_000, RecipientsPerMessage = 100 }, true },
        { ProviderPresets.Microsoft365, new SendLimits { MessagesPerMinute = 30, RecipientsPerDay = 10_000, RecipientsPerMessage = 500 }, true },
        { ProviderPresets.OutlookCom, new SendLimits { RecipientsPerDay = 300, RecipientsPerMessage = 300 }, false },
        { ProviderPresets.Yahoo, new SendLimits { MessagesPerDay = 500, RecipientsPerMessage = 100 }, false },
        { ProviderPresets.Aol, SendLimits.None, false },
        { ProviderPresets.ICloud, new SendLimits { MessagesPerDay = 1_000, RecipientsPerDay = 1_000, RecipientsPerMessage = 500 }, true },
        { ProviderPresets.Zoho, new SendLimits { MessagesPerHour = 50, RecipientsPerMessage = 100 }, true },
        { ProviderPresets.Ionos, new SendLimits { MessagesPerHour = 50, RecipientsPerMessage = 200 }, false },
        { ProviderPresets.GoDaddy, new SendLimits { RecipientsPerDay = 250, RecipientsPerMessage = 100 }, false },
        { ProviderPresets.Fastmail, SendLimits.None, false },
        { ProviderPresets.Titan, SendLimits.None, false },
        { ProviderPresets.Custom, SendLimits.None, false },
    };

    [Theory]
    [MemberData(nameof(PublishedFigures))]
    public void Presets_hold_the_figures_of_the_providers_table(ProviderPreset preset, SendLimits expected, bool verified)
    {
        preset.Limits.Should().Be(expected);
        preset.IsVerified.Should().Be(verified);
    }

    [Theory]
    [InlineData("Zoho", "Zoho: 50/h, 100 recipients/message")]
    [InlineData("Microsoft 365", "Microsoft 365: 30/min, 10000 recipients/day, 500 recipients/message")]
    [InlineData("Custom", "Custom: no limits")]
    public void A_preset_describes_itself_by_name_and_limits(string name, string expected) =>
        ProviderPresets.Find(name)!.ToString().Should().Be(expected);

    [Fact]
    public void Short_windows_the_providers_do_not_publish_are_explained_where_set()
    {
        foreach (var preset in new[] { ProviderPresets.Gmail, ProviderPresets.GoogleWorkspace })
        {
            preset.Notes.Should().Contain("2 messages per second is our own pacing");
        }

        ProviderPresets.All.Where(preset => preset.Limits.MessagesPerSecond is not null)
            .Should().BeEquivalentTo([ProviderPresets.Gmail, ProviderPresets.GoogleWorkspace]);
    }
}
