using System.Text.Json;

namespace PetSitter.Email.Cli.Tests;

/// <summary>
/// The From domain's records in <c>diagnose</c>'s output. The demo answers its accounts' domains from a zone it owns
/// (in-process, on loopback), so its findings are the same on every run.
/// </summary>
public sealed class DiagnoseSenderDomainTests
{
    [Fact]
    public async Task Demo_shows_the_healthy_accounts_domain_passing_and_tells_the_other_what_to_add()
    {
        var (exitCode, output, error) = await RunAsync("diagnose", "--demo");

        exitCode.Should().Be(0, error);
        output.Should().Contain("The From domain gmail.example in DNS:");
        output.Should().MatchRegex(@"PASS\s+SPF\s+The SPF record of gmail\.example authorises Google's servers\.");
        output.Should().MatchRegex(@"PASS\s+DMARC\s+gmail\.example has a DMARC record with p=none");
        output.Should().Contain("The From domain furfriends.example in DNS:");
        output.Should().MatchRegex(@"WARNING\s+SPF\s+furfriends\.example has no SPF record");
        output.Should().Contain("fix: Add a TXT record at furfriends.example: v=spf1 include:_spf.google.com ~all");
        output.Should().Contain("fix: Add a TXT record at _dmarc.furfriends.example: v=DMARC1; p=none");
        var spamRow = output.Split('\n').Single(l => l.StartsWith("Has your client marked your emails as spam or junk?", StringComparison.Ordinal));
        spamRow.Should().MatchRegex(@"PASS\s+WARNING");
    }

    [Fact]
    public async Task Demo_json_carries_each_accounts_domain_findings()
    {
        var (exitCode, output, _) = await RunAsync("diagnose", "--demo", "--json");

        exitCode.Should().Be(0);
        using var document = JsonDocument.Parse(output);
        var reports = document.RootElement.GetProperty("accounts").EnumerateArray().Select(a => a.GetProperty("report")).ToList();
        reports.Select(r => r.GetProperty("senderDomain").GetString()).Should().Equal("gmail.example", "furfriends.example");
        Statuses(reports[0]).Should().Equal(("Spf", "Pass"), ("Dkim", "Pass"), ("Dmarc", "Pass"));
        Statuses(reports[1]).Should().Equal(("Spf", "Warning"), ("Dkim", "Warning"), ("Dmarc", "Warning"));
        reports[1].GetProperty("senderDomainFindings")[0].GetProperty("advice").GetString().Should().Contain("include:_spf.google.com");
    }

    [Fact]
    public async Task No_domain_check_leaves_the_domain_out()
    {
        var (exitCode, output, _) = await RunAsync("diagnose", "--demo", "--json", "--no-domain-check");

        exitCode.Should().Be(0);
        using var document = JsonDocument.Parse(output);
        foreach (var account in document.RootElement.GetProperty("accounts").EnumerateArray())
        {
            account.GetProperty("report").GetProperty("senderDomain").ValueKind.Should().Be(JsonValueKind.Null);
            account.GetProperty("report").GetProperty("senderDomainFindings").GetArrayLength().Should().Be(0);
        }
    }

    [Theory]
    [InlineData("diagnose", "--host", "smtp.example.com", "--port", "587", "--dns-server", "not-an-address")]
    [InlineData("diagnose", "--host", "smtp.example.com", "--port", "587", "--dns-server", "127.0.0.1:53", "--dns-server", "127.0.0.2:5353")]
    [InlineData("diagnose", "--demo", "--dns-server", "127.0.0.1")]
    public async Task Bad_dns_server_arguments_exit_2(params string[] args)
    {
        var (exitCode, _, error) = await RunAsync(args);

        exitCode.Should().Be(2);
        error.Should().Contain("--dns-server");
    }

    private static List<(string, string)> Statuses(JsonElement report) =>
        [.. report.GetProperty("senderDomainFindings").EnumerateArray().Select(f => (f.GetProperty("record").GetString()!, f.GetProperty("status").GetString()!))];

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await CliApp.RunAsync(args, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }
}
