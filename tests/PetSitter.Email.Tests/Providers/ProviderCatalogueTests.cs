namespace PetSitter.Email.Tests.Providers;

/// <summary>
/// One catalogue answers every question about a provider: a host the failure rules recognise also carries
/// the provider's send limits and its diagnostics facts. Before the catalogue, four host matchers disagreed and
/// an account on <c>smtp-legacy.office365.com</c> or <c>smtp.zoho.com.au</c> was sent at without any limit.
/// </summary>
public sealed class ProviderCatalogueTests
{
    // The hosts issue 13 names, with the provider each belongs to.
    private static readonly (string Host, string Provider)[] RequiredHosts =
    [
        ("smtp.gmail.com", "Gmail"),
        ("smtp.googlemail.com", "Gmail"),
        ("smtp-relay.gmail.com", "Gmail"),
        ("smtp.office365.com", "Microsoft 365"),
        ("smtp-legacy.office365.com", "Microsoft 365"),
        ("contoso-com.mail.protection.outlook.com", "Microsoft 365"),
        ("smtp-mail.outlook.com", "Outlook.com"),
        ("smtp.mail.yahoo.com", "Yahoo"),
        ("smtp.aol.com", "AOL"),
        ("smtp.mail.me.com", "iCloud Mail"),
        ("smtp.zoho.com", "Zoho Mail"),
        ("smtp.zoho.eu", "Zoho Mail"),
        ("smtp.zoho.com.au", "Zoho Mail"),
        ("smtp.ionos.com", "IONOS"),
        ("smtp.ionos.de", "IONOS"),
        ("smtp.ionos.co.uk", "IONOS"),
        ("smtpout.secureserver.net", "GoDaddy"),
        ("smtp.fastmail.com", "Fastmail"),
        ("smtp.titan.email", "Titan"),
    ];

    // The required hosts and every host the catalogue lists, so a host added later is walked too.
    public static TheoryData<string, string> Hosts()
    {
        var data = new TheoryData<string, string>();
        var hosts = RequiredHosts.Concat(SmtpProviderCatalogue.All.SelectMany(p => p.Hosts.Select(host => (host, p.Name))));
        foreach (var (host, provider) in hosts.Distinct())
        {
            data.Add(host, provider);
        }

        return data;
    }

    // Every preset name is an alias of its provider in SmtpAccountSettings.Provider.
    public static TheoryData<string, string> PresetAliases()
    {
        var data = new TheoryData<string, string>();
        foreach (var provider in SmtpProviderCatalogue.All)
        {
            foreach (var preset in provider.Presets)
            {
                data.Add(preset.Name, provider.Name);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public void Limits_rules_advice_diagnostics_and_telemetry_resolve_a_host_to_the_same_provider(string host, string expected)
    {
        var provider = SmtpProviderCatalogue.All.Single(p => p.Name == expected);

        // Limits: the preset by host, and what an account on that host is held to.
        ProviderPresets.Detect(host).Should().BeSameAs(provider.DefaultPreset);
        Account(host).EffectiveLimits().Should().Be(provider.DefaultPreset.Limits);

        // Classification: the provider whose rules read the reply, and the advice's provider.
        var detection = KnownSmtpProviders.Detect(host);
        detection.Provider.Should().Be(provider.Kind);
        detection.Name.Should().Be(expected);
        var failure = SmtpFailureClassifier.Classify(new SmtpTransportException(SmtpStage.Authenticate, 535, "5.7.8 Authentication failed"), host);
        failure.AssumedProvider.Should().Be(expected);
        failure.AssumedProviderBecause.Should().Be($"the host name {host}");

        // Diagnostics: the requirements DiagnosticRun looks up for what it detected.
        ProviderRequirements.For(detection.Provider).Should().BeSameAs(provider.Requirements);

        // Telemetry's provider tag.
        TelemetryTags.ProviderOf(host).Should().Be(provider.Kind.ToString());
    }

    [Theory]
    [MemberData(nameof(PresetAliases))]
    public void A_preset_name_on_an_own_host_resolves_limits_rules_and_diagnostics_to_its_provider(string alias, string expected)
    {
        const string OwnHost = "mail.pawsandclaws.example";
        var provider = SmtpProviderCatalogue.All.Single(p => p.Name == expected);
        var preset = provider.Presets.Single(p => p.Name == alias);

        Account(OwnHost, alias).EffectiveLimits().Should().Be(preset.Limits);
        Account(OwnHost, alias.ToUpperInvariant().Replace(' ', '-')).EffectiveLimits().Should().Be(preset.Limits);
        var detection = KnownSmtpProviders.Detect(OwnHost, alias);
        detection.Provider.Should().Be(provider.Kind);
        detection.Name.Should().Be(expected);
        ProviderRequirements.For(detection.Provider).Should().BeSameAs(provider.Requirements);
    }

    [Theory]
    [InlineData("mail.pawsandclaws.example")]
    [InlineData("gmail.com")]
    [InlineData("notgmail.com")]
    [InlineData("smtp.gmail.com.evil.example")]
    [InlineData("smtp.zoho.com.au.evil.example")]
    public void A_host_that_only_looks_like_a_providers_gets_no_providers_limits_rules_or_tag(string host)
    {
        ProviderPresets.Detect(host).Should().BeNull();
        Account(host).EffectiveLimits().Should().Be(SendLimits.None);
        KnownSmtpProviders.Detect(host).Should().Be(ProviderDetection.None);
        TelemetryTags.ProviderOf(host).Should().Be("Other");
    }

    [Fact]
    public void Every_provider_has_hosts_a_preset_requirements_and_a_unique_name()
    {
        SmtpProviderCatalogue.All.Select(p => p.Name).Should().OnlyHaveUniqueItems();
        SmtpProviderCatalogue.All.Select(p => p.Kind).Should().OnlyHaveUniqueItems()
            .And.BeEquivalentTo(Enum.GetValues<KnownSmtpProvider>().Where(k => k != KnownSmtpProvider.Unknown));
        SmtpProviderCatalogue.All.SelectMany(p => p.Hosts).Should().OnlyHaveUniqueItems();
        foreach (var provider in SmtpProviderCatalogue.All)
        {
            provider.Hosts.Should().NotBeEmpty(provider.Name);
            provider.Presets.Should().NotBeEmpty(provider.Name);
            provider.Presets.Should().OnlyContain(p => p.Hosts == provider.Hosts, "a preset knows every alias of its provider");
            provider.Requirements.Endpoints.Should().NotBeEmpty(provider.Name);
        }

        ProviderPresets.All.Should().Equal(SmtpProviderCatalogue.Presets);
    }

    private static SmtpAccountSettings Account(string host, string? provider = null) => new()
    {
        Host = host,
        Port = 587,
        UserName = "owner@pawsandclaws.example",
        Password = "app-password",
        FromAddress = "owner@pawsandclaws.example",
        Provider = provider,
    };
}
