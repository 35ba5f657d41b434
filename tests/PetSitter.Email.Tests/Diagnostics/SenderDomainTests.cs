using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using PetSitter.Email.DomainCheck;
using PetSitter.Email.Tests.Support;

namespace PetSitter.Email.Tests.Diagnostics;

/// <summary>
/// The From domain's SPF, DKIM and DMARC, checked against a real DNS server (dnsmasq on loopback). The SMTP side
/// points at a closed loopback port: the records are checked whatever the server does.
/// </summary>
[Collection(DnsmasqTests.Name)]
public sealed class SenderDomainTests(DnsmasqFixture dns)
{
    [Fact]
    public async Task Domain_that_authorises_google_publishes_its_key_and_a_dmarc_policy_passes()
    {
        var report = await DiagnoseAsync(DnsmasqFixture.Passing);

        report.SenderDomain.Should().Be(DnsmasqFixture.Passing);
        Find(report, SenderDomainRecord.Spf).Status.Should().Be(DiagnosticStatus.Pass);
        Find(report, SenderDomainRecord.Spf).Summary.Should().Contain("authorises Google's servers");
        Find(report, SenderDomainRecord.Dkim).Status.Should().Be(DiagnosticStatus.Pass);
        Find(report, SenderDomainRecord.Dkim).Summary.Should().Contain($"google._domainkey.{DnsmasqFixture.Passing}");
        Find(report, SenderDomainRecord.Dmarc).Status.Should().Be(DiagnosticStatus.Pass);
        Find(report, SenderDomainRecord.Dmarc).Summary.Should().Contain("p=quarantine").And.Contain("DKIM strict");
        report[DiagnosticCheck.SpamReputation].Status.Should().Be(DiagnosticStatus.Pass);
    }

    [Fact]
    public async Task Domain_without_spf_is_told_to_add_the_providers_include()
    {
        var report = await DiagnoseAsync(DnsmasqFixture.WithoutSpf);

        var spf = Find(report, SenderDomainRecord.Spf);
        spf.Status.Should().Be(DiagnosticStatus.Warning);
        spf.Summary.Should().Contain("has no SPF record");
        spf.Advice.Should().Contain($"Add a TXT record at {DnsmasqFixture.WithoutSpf}: v=spf1 include:_spf.google.com ~all");
        report[DiagnosticCheck.SpamReputation].Status.Should().Be(DiagnosticStatus.Warning);
        report[DiagnosticCheck.SpamReputation].Advice.Should().Contain("include:_spf.google.com");
    }

    [Fact]
    public async Task Domain_whose_spf_leaves_out_the_provider_is_told_to_add_its_include()
    {
        var report = await DiagnoseAsync(DnsmasqFixture.SpfWithoutProvider);

        var spf = Find(report, SenderDomainRecord.Spf);
        spf.Status.Should().Be(DiagnosticStatus.Warning);
        spf.Summary.Should().Contain("does not authorise Google's servers").And.Contain("told to refuse");
        spf.Evidence.Should().Be("v=spf1 ip4:192.0.2.10 -all");
        spf.Advice.Should().Contain("v=spf1 include:_spf.google.com ip4:192.0.2.10 -all");
    }

    [Fact]
    public async Task Domain_without_dmarc_is_told_to_add_a_policy()
    {
        var report = await DiagnoseAsync(DnsmasqFixture.WithoutDmarc);

        Find(report, SenderDomainRecord.Spf).Status.Should().Be(DiagnosticStatus.Pass);
        var dmarc = Find(report, SenderDomainRecord.Dmarc);
        dmarc.Status.Should().Be(DiagnosticStatus.Warning);
        dmarc.Summary.Should().Contain("has no DMARC record");
        dmarc.Advice.Should().Contain($"Add a TXT record at _dmarc.{DnsmasqFixture.WithoutDmarc}: v=DMARC1; p=none");
    }

    [Fact]
    public async Task Domain_with_dmarc_p_none_passes_and_is_told_how_to_tighten_it_later()
    {
        var report = await DiagnoseAsync(DnsmasqFixture.DmarcNone);

        var dmarc = Find(report, SenderDomainRecord.Dmarc);
        dmarc.Status.Should().Be(DiagnosticStatus.Pass);
        dmarc.Summary.Should().Contain("p=none").And.Contain("still deliver");
        dmarc.Advice.Should().Contain("change p=none to p=quarantine");
        report[DiagnosticCheck.SpamReputation].Status.Should().Be(DiagnosticStatus.Pass);
    }

    [Fact]
    public async Task Domain_without_the_providers_dkim_key_is_told_to_turn_dkim_on()
    {
        var report = await DiagnoseAsync(DnsmasqFixture.WithoutSpf);

        var dkim = Find(report, SenderDomainRecord.Dkim);
        dkim.Status.Should().Be(DiagnosticStatus.Warning);
        dkim.Summary.Should().Contain($"google._domainkey.{DnsmasqFixture.WithoutSpf}");
        dkim.Advice.Should().Contain("Google Admin console");
    }

    [Fact]
    public async Task Microsoft_365_domain_with_both_selector_cnames_passes_spf_and_dkim()
    {
        var report = await DiagnoseAsync(DnsmasqFixture.Microsoft, host: "smtp.office365.com");

        Find(report, SenderDomainRecord.Spf).Summary.Should().Contain("authorises Microsoft 365's servers");
        Find(report, SenderDomainRecord.Spf).Status.Should().Be(DiagnosticStatus.Pass);
        var dkim = Find(report, SenderDomainRecord.Dkim);
        dkim.Status.Should().Be(DiagnosticStatus.Pass, dkim.Evidence);
        dkim.Summary.Should().Contain("selector1._domainkey").And.Contain("selector2._domainkey");
        Find(report, SenderDomainRecord.Dmarc).Summary.Should().Contain("p=reject").And.Contain("SPF strict");
    }

    [Fact]
    public async Task Unrecognised_provider_gets_the_spf_record_seen_and_dkim_not_checked()
    {
        var report = await DiagnoseAsync(DnsmasqFixture.Passing, host: "mail.petsitter-host.test");

        Find(report, SenderDomainRecord.Spf).Status.Should().Be(DiagnosticStatus.Pass);
        Find(report, SenderDomainRecord.Spf).Summary.Should().Contain("provider was not recognised");
        Find(report, SenderDomainRecord.Dkim).Status.Should().Be(DiagnosticStatus.NotChecked);
    }

    [Fact]
    public async Task Silent_dns_server_leaves_every_record_not_checked_never_failed()
    {
        await using var silent = new SilentDnsServer();

        var report = await DiagnoseAsync(DnsmasqFixture.Passing, servers: [silent.Endpoint], dnsTimeout: TimeSpan.FromSeconds(1));

        report.SenderDomainFindings.Should().HaveCount(3).And.OnlyContain(f => f.Status == DiagnosticStatus.NotChecked);
        Find(report, SenderDomainRecord.Spf).Summary.Should().Contain("did not answer").And.Contain("within 1 s");
        report[DiagnosticCheck.SpamReputation].Status.Should().NotBe(DiagnosticStatus.Fail);
        report[DiagnosticCheck.SpamReputation].Summary.Should().Contain("was not checked");

        // One silent server costs one lookup's timeout: the later records do not ask again.
        silent.Queries.Should().Be(1);
    }

    [Theory]
    [InlineData("gmail.com", "Google")]
    [InlineData("outlook.com", "Microsoft")]
    [InlineData("yahoo.com", "Yahoo")]
    [InlineData("icloud.com", "Apple")]
    public async Task Free_mail_domain_belongs_to_its_provider_and_nothing_is_looked_up(string domain, string owner)
    {
        await using var silent = new SilentDnsServer();

        var report = await DiagnoseAsync(domain, servers: [silent.Endpoint]);

        report.SenderDomainFindings.Should().HaveCount(3).And.OnlyContain(f => f.Status == DiagnosticStatus.Pass && f.Advice == null);
        report[DiagnosticCheck.SpamReputation].Summary.Should().Contain($"belongs to {owner}").And.Contain("nothing for you to set");
        silent.Queries.Should().Be(0);
    }

    [Fact]
    public async Task Reserved_example_names_are_not_looked_up_in_the_systems_dns()
    {
        var report = await DiagnoseAsync("paws.example", servers: []);

        report.SenderDomainFindings.Should().OnlyContain(f => f.Status == DiagnosticStatus.NotChecked && f.Summary.Contains("reserved", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Turning_the_check_off_leaves_no_domain_findings()
    {
        var diagnostics = new SmtpDiagnostics(TimeProvider.System, TestLogging.For<SmtpDiagnostics>(), [new DnsSenderDomainCheck(TimeProvider.System)]) { ResolveHost = (_, _) => Task.FromResult(new[] { IPAddress.Loopback }) };

        var report = await diagnostics.RunAsync(Account("smtp.gmail.com", DnsmasqFixture.Passing), new DiagnosticOptions { CheckSenderDomain = false, DnsServers = [dns.Server.Endpoint] });

        report.SenderDomain.Should().BeNull();
        report.SenderDomainFindings.Should().BeEmpty();
    }

    [Fact]
    public async Task Dns_servers_on_different_ports_are_refused_naming_the_option()
    {
        var options = new DiagnosticOptions { DnsServers = [new IPEndPoint(IPAddress.Loopback, 53), new IPEndPoint(IPAddress.Loopback, 5353)] };

        var act = () => new SmtpDiagnostics().RunAsync(Account("smtp.gmail.com", DnsmasqFixture.Passing), options);

        (await act.Should().ThrowAsync<ArgumentException>()).WithMessage("*DnsServers*same port*");
    }

    [Fact]
    public async Task Without_the_domain_check_package_an_owners_domain_is_not_checked_and_the_package_is_named()
    {
        await using var silent = new SilentDnsServer();
        var diagnostics = new ServiceCollection().AddPetSitterEmailDiagnostics().BuildServiceProvider().GetRequiredService<ISmtpDiagnostics>();

        var report = await diagnostics.RunAsync(Account("127.0.0.1", DnsmasqFixture.Passing), new DiagnosticOptions { StepTimeout = TimeSpan.FromSeconds(5), DnsServers = [silent.Endpoint] });

        report.SenderDomain.Should().Be(DnsmasqFixture.Passing);
        report.SenderDomainFindings.Should().HaveCount(3)
            .And.OnlyContain(f => f.Status == DiagnosticStatus.NotChecked && f.Summary.Contains("add the PetSitter.Email.DomainCheck package", StringComparison.Ordinal));
        report.Steps.Should().Contain(step => step.Contains("AddPetSitterEmailDomainCheck()", StringComparison.Ordinal));
        report[DiagnosticCheck.SpamReputation].Status.Should().NotBe(DiagnosticStatus.Fail);
        silent.Queries.Should().Be(0);
    }

    [Fact]
    public async Task Registering_the_domain_check_package_makes_the_diagnosis_read_the_domains_records()
    {
        var diagnostics = new ServiceCollection().AddPetSitterEmailDiagnostics().AddPetSitterEmailDomainCheck().BuildServiceProvider().GetRequiredService<ISmtpDiagnostics>();

        // 127.0.0.1 is no provider the catalogue knows: SPF is seen, DMARC read, the DKIM selector unknown.
        var report = await diagnostics.RunAsync(Account("127.0.0.1", DnsmasqFixture.Passing), new DiagnosticOptions { StepTimeout = TimeSpan.FromSeconds(5), DnsServers = [dns.Server.Endpoint] });

        Find(report, SenderDomainRecord.Spf).Status.Should().Be(DiagnosticStatus.Pass);
        Find(report, SenderDomainRecord.Dmarc).Summary.Should().Contain("p=quarantine");
        Find(report, SenderDomainRecord.Dkim).Status.Should().Be(DiagnosticStatus.NotChecked);
    }

    [Fact]
    public void The_builder_registers_the_domain_check_once_however_often_it_is_called()
    {
        // As in docs/deliverability.md, "The owner's domain".
        var services = new ServiceCollection();
        services.AddPetSitterEmail().AddDomainCheck();
        services.AddPetSitterEmailDomainCheck();

        using var provider = services.BuildServiceProvider();

        provider.GetServices<ISenderDomainCheck>().Should().ContainSingle().Which.GetType().Assembly.Should().BeSameAs(typeof(DomainCheckServiceCollectionExtensions).Assembly);
    }

    [Fact]
    public async Task The_check_is_handed_the_catalogues_provider_facts_and_the_dns_options()
    {
        var check = new RecordingCheck();
        var diagnostics = new SmtpDiagnostics(TimeProvider.System, TestLogging.For<SmtpDiagnostics>(), [check]) { ResolveHost = (_, _) => Task.FromResult(new[] { IPAddress.Loopback }) };

        var report = await diagnostics.RunAsync(Account("smtp.gmail.com", "PawsAndClaws.test"), new DiagnosticOptions { DnsServers = [dns.Server.Endpoint], DnsTimeout = TimeSpan.FromSeconds(2) });

        var request = check.Requests.Should().ContainSingle().Subject;
        request.Domain.Should().Be("pawsandclaws.test");
        request.Provider!.SpfInclude.Should().Be("_spf.google.com");
        request.Provider.DkimSelectors.Should().Equal("google");
        request.DnsServers.Should().Equal(dns.Server.Endpoint);
        request.DnsTimeout.Should().Be(TimeSpan.FromSeconds(2));
        Find(report, SenderDomainRecord.Dmarc).Summary.Should().Be(RecordingCheck.Answer);
    }

    [Fact]
    public async Task A_domain_check_that_throws_leaves_the_records_not_checked_and_the_report_whole()
    {
        var diagnostics = new SmtpDiagnostics(TimeProvider.System, TestLogging.For<SmtpDiagnostics>(), [new ThrowingCheck()]) { ResolveHost = (_, _) => Task.FromResult(new[] { IPAddress.Loopback }) };

        var report = await diagnostics.RunAsync(Account("smtp.gmail.com", DnsmasqFixture.Passing), new DiagnosticOptions { DnsServers = [dns.Server.Endpoint] });

        report.SenderDomainFindings.Should().HaveCount(3)
            .And.OnlyContain(f => f.Status == DiagnosticStatus.NotChecked && f.Summary.Contains("the DNS check failed", StringComparison.Ordinal));
        report[DiagnosticCheck.SpamReputation].Status.Should().NotBe(DiagnosticStatus.Fail);
    }

    private static SenderDomainFinding Find(DiagnosticReport report, SenderDomainRecord record) =>
        report.SenderDomainFindings.Should().ContainSingle(f => f.Record == record, string.Join(" | ", report.SenderDomainFindings)).Subject;

    private static SmtpAccountSettings Account(string host, string domain) => new()
    {
        Host = host,
        Port = ClosedPort(),
        Security = SmtpSecurity.StartTls,
        FromAddress = $"hello@{domain}",
    };

    private Task<DiagnosticReport> DiagnoseAsync(string domain, string host = "smtp.gmail.com", IReadOnlyList<IPEndPoint>? servers = null, TimeSpan? dnsTimeout = null)
    {
        var diagnostics = new SmtpDiagnostics(TimeProvider.System, TestLogging.For<SmtpDiagnostics>(), [new DnsSenderDomainCheck(TimeProvider.System)])
        {
            // The SMTP side meets a closed loopback port at once; the domain's records are checked regardless.
            ResolveHost = (_, _) => Task.FromResult(new[] { IPAddress.Loopback }),
        };
        return diagnostics.RunAsync(
            Account(host, domain),
            new DiagnosticOptions { StepTimeout = TimeSpan.FromSeconds(5), DnsServers = servers ?? [dns.Server.Endpoint], DnsTimeout = dnsTimeout ?? TimeSpan.FromSeconds(5) });
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private sealed class RecordingCheck : ISenderDomainCheck
    {
        public const string Answer = "Recorded: the check answered.";

        public List<SenderDomainCheckRequest> Requests { get; } = [];

        public ValueTask<IReadOnlyList<SenderDomainFinding>> CheckAsync(SenderDomainCheckRequest request, CancellationToken cancellationToken)
        {
            Requests.Add(request);
            return ValueTask.FromResult<IReadOnlyList<SenderDomainFinding>>([new SenderDomainFinding(SenderDomainRecord.Dmarc, DiagnosticStatus.Pass, Answer)]);
        }
    }

    private sealed class ThrowingCheck : ISenderDomainCheck
    {
        public ValueTask<IReadOnlyList<SenderDomainFinding>> CheckAsync(SenderDomainCheckRequest request, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("The resolver crashed.");
    }
}
