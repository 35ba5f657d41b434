using System.Text.RegularExpressions;

namespace PetSitter.Email.OAuth.Tests.Docs;

public sealed partial class OAuthDocsTests
{
    [Fact]
    public void The_oauth_page_snippet_is_the_compiled_sample()
    {
        var root = RepoRoot();
        var page = File.ReadAllText(Path.Combine(root, "docs", "oauth.md")).ReplaceLineEndings("\n");
        var sample = File.ReadAllText(Path.Combine(root, "docs", "samples", "OAuthConnect", "Program.cs")).ReplaceLineEndings("\n");

        var match = SnippetBlock().Match(page);

        match.Success.Should().BeTrue("docs/oauth.md has a C# block after its compiled-snippet marker");
        match.Groups[1].Value.Should().Be(sample);
    }

    [Fact]
    public void The_readme_links_the_oauth_page()
    {
        File.ReadAllText(Path.Combine(RepoRoot(), "README.md")).Should().Contain("(docs/oauth.md)");
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

    [GeneratedRegex(@"<!-- This snippet[^>]*-->\n```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex SnippetBlock();
}
