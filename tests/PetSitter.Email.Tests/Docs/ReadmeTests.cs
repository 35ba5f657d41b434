using System.Text.RegularExpressions;

namespace PetSitter.Email.Tests.Docs;

public partial class ReadmeTests
{
    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PetSitter.Email.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("The repository root (PetSitter.Email.sln) was not found above the test binaries.");
    }

    [Fact]
    public void The_readme_quick_start_is_the_compiled_sample()
    {
        var root = RepoRoot();
        var readme = File.ReadAllText(Path.Combine(root, "README.md")).ReplaceLineEndings("\n");
        var sample = File.ReadAllText(Path.Combine(root, "docs", "samples", "QuickStart", "Program.cs")).ReplaceLineEndings("\n");

        var match = QuickStartBlock().Match(readme);

        match.Success.Should().BeTrue("the README has a quick-start C# block after its compiled-snippet marker");
        match.Groups[1].Value.Should().Be(sample);
    }

    [GeneratedRegex(@"<!-- This snippet[^>]*-->\n```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex QuickStartBlock();
}
