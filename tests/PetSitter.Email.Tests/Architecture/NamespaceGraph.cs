using ArchUnitNET.Loader;

namespace PetSitter.Email.Tests.Architecture;

/// <summary>
/// The core, Redis and domain-check assemblies as ArchUnitNET reads them (IL, not source), loaded once, and the namespace
/// graph built from every type's references.
/// </summary>
internal static class NamespaceGraph
{
    public const string Root = "PetSitter.Email";

    private static readonly Lazy<ArchUnitNET.Domain.Architecture> Loaded = new(static () =>
        new ArchLoader().LoadAssemblies(typeof(SendOutcome).Assembly, typeof(RedisPetSitterEmailBuilderExtensions).Assembly, typeof(DomainCheckServiceCollectionExtensions).Assembly).Build());

    public static ArchUnitNET.Domain.Architecture Architecture => Loaded.Value;

    /// <summary>Every dependency between two namespaces of the core, as "From -> To", with the type pairs behind it.</summary>
    public static IReadOnlyDictionary<(string From, string To), List<string>> CoreEdges()
    {
        var core = typeof(SendOutcome).Assembly.GetName().Name;
        var edges = new Dictionary<(string, string), List<string>>();
        foreach (var type in Architecture.Types.Where(t => t.Assembly.Name.StartsWith(core + ",", StringComparison.Ordinal) || t.Assembly.Name == core))
        {
            foreach (var dependency in type.Dependencies)
            {
                var target = dependency.Target;
                if (target.Assembly?.Name != type.Assembly.Name || !IsOurs(target.Namespace.FullName) || !IsOurs(type.Namespace.FullName))
                {
                    continue;
                }

                var from = Feature(type.Namespace.FullName);
                var to = Feature(target.Namespace.FullName);
                if (from == to)
                {
                    continue;
                }

                if (!edges.TryGetValue((from, to), out var pairs))
                {
                    edges[(from, to)] = pairs = [];
                }

                pairs.Add($"{type.Name} -> {target.Name}");
            }
        }

        return edges;
    }

    /// <summary>Whether ArchUnitNET's assembly is <paramref name="assembly"/> (its name is the simple or the full one).</summary>
    public static bool IsAssembly(ArchUnitNET.Domain.Assembly loaded, System.Reflection.Assembly assembly) =>
        loaded.Name == assembly.GetName().Name || loaded.Name.StartsWith(assembly.GetName().Name + ",", StringComparison.Ordinal) || loaded.FullName == assembly.FullName;

    /// <summary>Whether a namespace is the library's own (not one a source generator or the compiler adds).</summary>
    public static bool IsOurs(string ns) => ns == Root || ns.StartsWith(Root + ".", StringComparison.Ordinal) || ns == "Microsoft.Extensions.DependencyInjection";

    /// <summary>The feature a namespace belongs to: its first segment under the root, or the root itself.</summary>
    public static string Feature(string ns) =>
        ns.StartsWith(Root + ".", StringComparison.Ordinal) ? ns[(Root.Length + 1)..].Split('.')[0] : ns == Root ? "(root)" : ns;
}
