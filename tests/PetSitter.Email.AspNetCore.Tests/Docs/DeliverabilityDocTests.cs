using System.Text.RegularExpressions;

namespace PetSitter.Email.AspNetCore.Tests.Docs;

public sealed partial class DeliverabilityDocTests
{
    [Fact]
    public void The_suppression_snippet_of_the_deliverability_page_is_the_compiled_sample()
    {
        var root = RepoRoot();
        var page = File.ReadAllText(Path.Combine(root, "docs", "deliverability.md")).ReplaceLineEndings("\n");
        var sample = File.ReadAllText(Path.Combine(root, "tests", "PetSitter.Email.AspNetCore.Tests", "Docs", "DeliverabilityDocSample.cs")).ReplaceLineEndings("\n");

        var block = Snippet().Match(page);
        var compiled = Compiled().Match(sample);

        block.Success.Should().BeTrue("the page has a C# block after its compiled-snippet marker");
        compiled.Success.Should().BeTrue();
        block.Groups[1].Value.Should().Be(compiled.Groups[1].Value);
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

    [GeneratedRegex(@"<!-- This snippet is compiled by tests/PetSitter.Email.AspNetCore.Tests[^>]*-->\n```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex Snippet();

    [GeneratedRegex(@"// snippet-start\n(.*?)        // snippet-end", RegexOptions.Singleline)]
    private static partial Regex Compiled();
}
