using System.Text.RegularExpressions;

namespace PetSitter.Email.Tests.Architecture;

/// <summary>
/// The folder layout of the core (and of the domain-check package) says what a caller may use (docs/architecture.md, "Namespaces"): a feature folder
/// holds its public types at the top and its machinery in <c>Internal/</c>. Read from the source files, so a new file
/// in the wrong place fails here rather than in review.
/// </summary>
public sealed partial class InternalFolderTests
{
    [Theory]
    [InlineData("PetSitter.Email")]
    [InlineData("PetSitter.Email.DomainCheck")]
    public void Every_file_outside_Internal_holds_a_public_type_and_no_file_inside_does(string project)
    {
        var core = Path.Combine(RepoRoot(), "src", project);
        var files = Directory.EnumerateFiles(core, "*.cs", SearchOption.AllDirectories)
            .Where(f => !IsBuildOutput(Path.GetRelativePath(core, f)))
            .ToArray();

        var misplaced = files
            .Select(f => (Path: Path.GetRelativePath(core, f).Replace('\\', '/'), Public: PublicType().IsMatch(File.ReadAllText(f))))
            .Where(f => ("/" + f.Path).Contains("/Internal/", StringComparison.Ordinal) == f.Public)
            .Select(f => f.Public ? $"{f.Path}: a public type inside Internal/" : $"{f.Path}: only internal types, outside Internal/")
            .ToArray();

        files.Should().Contain(f => f.Contains($"{Path.DirectorySeparatorChar}Internal{Path.DirectorySeparatorChar}", StringComparison.Ordinal), "the layout has Internal/ folders to check");
        misplaced.Should().BeEmpty();
    }

    private static bool IsBuildOutput(string relative) =>
        relative.StartsWith("obj", StringComparison.Ordinal) || relative.StartsWith("bin", StringComparison.Ordinal);

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PetSitter.Email.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("The repository root (PetSitter.Email.sln) was not found above the test binaries.");
    }

    [GeneratedRegex(@"^public\s", RegexOptions.Multiline)]
    private static partial Regex PublicType();
}
