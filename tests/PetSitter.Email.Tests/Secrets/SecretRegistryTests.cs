using System.Text.RegularExpressions;

namespace PetSitter.Email.Tests.Secrets;

/// <summary>The registry stays complete: a password written into a test is one the log scan knows.</summary>
public sealed partial class SecretRegistryTests
{
    [Fact]
    public void Every_password_and_token_literal_in_the_tests_is_registered()
    {
        var root = FindTestsRoot();
        var literals = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(path => SecretLiteral().Matches(File.ReadAllText(path)).Select(m => (File: Path.GetFileName(path), Value: m.Groups["value"].Value)))
            .ToList();

        literals.Should().NotBeEmpty("the tests do hand passwords to the library");
        literals.Where(l => !TestSecrets.All.ContainsKey(l.Value)).Select(l => l.File).Should().BeEmpty(
            "every password or token a test writes must be in TestSecrets (or registered), or the log scan cannot see it leak");
    }

    private static string FindTestsRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "PetSitter.Email.Tests.csproj")))
        {
            directory = directory.Parent;
        }

        directory.Should().NotBeNull("the tests run from under their project directory");
        return directory!.FullName;
    }

    // A Password property or password argument set to a literal, string constants named like a password, secret or
    // token, and any literal shaped like a Google access token.
    [GeneratedRegex(@"(?:\bPassword\s*=\s*|\bpassword:\s*|const\s+string\s+\w*(?:Password|Secret|Token)\w*\s*=\s*)""(?<value>[^""]+)""|""(?<value>ya29\.[^""]+)""", RegexOptions.CultureInvariant)]
    private static partial Regex SecretLiteral();
}
