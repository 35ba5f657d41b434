using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using PetSitter.Email.Testing;

namespace PetSitter.Email.Tests.Diagnostics;

/// <summary>The code example of docs/troubleshooting.md, run here so it cannot go stale.</summary>
public sealed partial class TroubleshootingDocTests
{
    [Fact]
    public async Task The_docs_example_diagnoses_a_business_account_with_its_recorded_health()
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new() { Security = ScriptedServerSecurity.StartTls, UserName = "hello@paws.example", Password = "app-password" });
        var business = new BusinessEmailSettings
        {
            BusinessId = "paws",
            BusinessName = "Paws & Claws",
            ReplyToAddress = "hello@paws.example",
            Smtp = server.CreateAccountSettings("hello@paws.example"),
        };
        var collection = new ServiceCollection();
        collection.AddPetSitterEmail();
        await using var services = collection.BuildServiceProvider();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var cancellationToken = timeout.Token;

        // snippet: begin
        ISmtpDiagnostics diagnostics = services.GetRequiredService<ISmtpDiagnostics>();
        IAccountHealthMonitor monitor = services.GetRequiredService<IAccountHealthMonitor>();

        DiagnosticReport report = await diagnostics.RunAsync(
            business.Smtp!,
            new DiagnosticOptions { RecordedHealth = monitor.GetHealth(business.BusinessId) },
            cancellationToken);

        foreach (DiagnosticFinding finding in report.Findings)
        {
            Console.WriteLine($"{finding.Status,-10} {finding.Question} {finding.Summary}");
            if (finding.Advice is not null)
            {
                Console.WriteLine($"           {finding.Advice}");
            }
        }
        // snippet: end

        report.IsHealthy.Should().BeTrue(report.ToString());
        report[DiagnosticCheck.Password].Status.Should().Be(DiagnosticStatus.Pass);
        server.Messages.Should().BeEmpty();
    }

    [Fact]
    public void The_docs_show_the_example_exactly()
    {
        var root = RepoRoot();
        var docs = File.ReadAllText(Path.Combine(root, "docs", "troubleshooting.md")).ReplaceLineEndings("\n");
        var source = File.ReadAllText(Path.Combine(root, "tests", "PetSitter.Email.Tests", "Diagnostics", "TroubleshootingDocTests.cs")).ReplaceLineEndings("\n");

        var block = DocsBlock().Match(docs);
        var snippet = SourceSnippet().Match(source);

        block.Success.Should().BeTrue("docs/troubleshooting.md has the C# example after its marker");
        snippet.Success.Should().BeTrue();
        var code = string.Join("\n", snippet.Groups[1].Value.Split('\n').Select(line => line.Length >= 8 ? line[8..] : line.Trim()));
        block.Groups[1].Value.Should().Be(code + "\n");
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PetSitter.Email.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("The repository root (PetSitter.Email.sln) was not found above the test binaries.");
    }

    [GeneratedRegex(@"<!-- This snippet runs in[^>]*-->\n```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex DocsBlock();

    [GeneratedRegex(@"// snippet: begin\n(.*?)\s*// snippet: end", RegexOptions.Singleline)]
    private static partial Regex SourceSnippet();
}
