using ArchUnitNET.xUnit;
using static ArchUnitNET.Fluent.ArchRuleDefinition;

namespace PetSitter.Email.Tests.Architecture;

/// <summary>
/// The allowed dependency directions between the namespaces of the core (docs/architecture.md, "Namespaces"),
/// read from the compiled assemblies by ArchUnitNET. Where the code does not yet follow the rule, the exceptions
/// are pinned by name: a new one fails, and removing one makes its entry here stale (which also fails).
/// </summary>
public sealed class DependencyDirectionTests
{
    /// <summary>Two-way pairs between features that remain, each a known cycle to cut (not a licence for more).</summary>
    private static readonly string[] KnownTwoWayPairs =
    [
        // The catalogue answers for a provider with the rules of Failures and the requirements of Diagnostics, and
        // both ask the catalogue which provider a host belongs to.
        "Diagnostics <-> Providers",
        "Failures <-> Providers",
    ];

    /// <summary>
    /// The features the root namespace (the vocabulary and the caller types) reaches into today: options read their
    /// defaults from the feature's constants class and validate with its rules, settings and failures use the
    /// catalogue, redactor and address rules. The vocabulary should sit at the bottom; this list may only shrink.
    /// </summary>
    private static readonly string[] KnownRootDependencies =
    [
        "DependencyInjection", "Diagnostics", "Failures", "Fallback", "Health", "Limits", "Messages", "Native",
        "Providers", "Sending", "SettingsRules", "Smtp",
    ];

    private static readonly string[] Registration = ["DependencyInjection", "Microsoft.Extensions.DependencyInjection"];

    [Fact]
    public void No_two_features_depend_on_each_other_beyond_the_known_pairs()
    {
        var edges = NamespaceGraph.CoreEdges();
        var twoWay = edges.Keys
            .Where(e => e.From != "(root)" && e.To != "(root)" && string.CompareOrdinal(e.From, e.To) < 0 && edges.ContainsKey((e.To, e.From)))
            .Select(e => $"{e.From} <-> {e.To}")
            .Order(StringComparer.Ordinal)
            .ToArray();

        Assert.Equal(KnownTwoWayPairs.Order(StringComparer.Ordinal), twoWay);
    }

    [Fact]
    public void The_root_namespace_reaches_no_feature_beyond_the_known_ones()
    {
        var reached = NamespaceGraph.CoreEdges().Keys
            .Where(e => e.From == "(root)" && e.To != "Extensibility" && !e.To.StartsWith("Microsoft.", StringComparison.Ordinal))
            .Select(e => e.To)
            .Order(StringComparer.Ordinal)
            .ToArray();

        Assert.Equal(KnownRootDependencies.Order(StringComparer.Ordinal), reached);
    }

    [Fact]
    public void Registration_is_at_the_top_no_feature_depends_on_it()
    {
        var upward = NamespaceGraph.CoreEdges()
            .Where(e => Registration.Contains(e.Key.To) && !Registration.Contains(e.Key.From))
            .SelectMany(e => e.Value.Select(pair => $"{e.Key.From}: {pair}"))
            .Where(pair => !pair.StartsWith("(root): PetSitterEmailBuilderExtensions ", StringComparison.Ordinal))
            .ToArray();

        Assert.Empty(upward);
    }

    [Fact]
    public void Extension_points_sit_below_every_feature_and_reach_only_the_vocabulary()
    {
        var edges = NamespaceGraph.CoreEdges();
        var reached = edges.Keys
            .Where(e => e.From == "Extensibility" && e.To != "(root)" && !e.To.StartsWith("Microsoft.", StringComparison.Ordinal))
            .Select(e => e.To)
            .ToArray();

        Assert.Empty(reached);

        // Not vacuous: the features do build on the extension points.
        Assert.Contains(edges.Keys, e => e.From == "Limits" && e.To == "Extensibility");
        Assert.Contains(edges.Keys, e => e.From == "Sending" && e.To == "Extensibility");
    }

    [Fact]
    public void The_Redis_package_uses_only_the_cores_public_types()
    {
        var core = typeof(SendOutcome).Assembly;
        var redis = typeof(RedisPetSitterEmailBuilderExtensions).Assembly;

        // Not vacuous: the Redis types are loaded and do reach into the core.
        var redisTypes = NamespaceGraph.Architecture.Types.Where(t => NamespaceGraph.IsAssembly(t.Assembly, redis)).ToArray();
        Assert.Contains(redisTypes, t => t.Dependencies.Any(d => d.Target.Assembly is { } a && NamespaceGraph.IsAssembly(a, core)));

        Types().That().ResideInAssembly(redis)
            .Should().NotDependOnAny(Types().That().ResideInAssembly(core).And().AreNotPublic())
            .Because("the Redis package must work with any core of the same major version, not only the one it was built with")
            .Check(NamespaceGraph.Architecture);
    }

    [Fact]
    public void The_domain_check_package_uses_only_the_cores_public_types()
    {
        var core = typeof(SendOutcome).Assembly;
        var domainCheck = typeof(DomainCheckServiceCollectionExtensions).Assembly;

        // Not vacuous: the domain-check types are loaded and do reach into the core.
        var checkTypes = NamespaceGraph.Architecture.Types.Where(t => NamespaceGraph.IsAssembly(t.Assembly, domainCheck)).ToArray();
        Assert.Contains(checkTypes, t => t.Dependencies.Any(d => d.Target.Assembly is { } a && NamespaceGraph.IsAssembly(a, core)));

        Types().That().ResideInAssembly(domainCheck)
            .Should().NotDependOnAny(Types().That().ResideInAssembly(core).And().AreNotPublic())
            .Because("the domain-check package must work with any core of the same major version, not only the one it was built with")
            .Check(NamespaceGraph.Architecture);
    }

    [Fact]
    public void The_core_carries_no_dns_library_so_apps_need_no_aspnetcore_runtime()
    {
        var referenced = typeof(SendOutcome).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToArray();

        // ARSoft.Tools.Net declares a framework reference to Microsoft.AspNetCore.App: it lives in PetSitter.Email.DomainCheck.
        Assert.DoesNotContain(referenced, n => n is not null && (n.StartsWith("ARSoft", StringComparison.Ordinal) || n.StartsWith("DnsClient", StringComparison.Ordinal)
            || n.StartsWith("BouncyCastle", StringComparison.Ordinal) || n.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal)));
        Assert.Contains("MailKit", referenced);
        Assert.Contains(typeof(DomainCheckServiceCollectionExtensions).Assembly.GetReferencedAssemblies(), a => a.Name == "ARSoft.Tools.Net");
        Assert.DoesNotContain(typeof(SendOutcome).Assembly.GetCustomAttributes(typeof(System.Runtime.CompilerServices.InternalsVisibleToAttribute), false),
            a => ((System.Runtime.CompilerServices.InternalsVisibleToAttribute)a).AssemblyName.StartsWith("PetSitter.Email.DomainCheck", StringComparison.Ordinal));
    }
}
