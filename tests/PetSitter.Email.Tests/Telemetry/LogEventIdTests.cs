using System.Reflection;
using Microsoft.Extensions.Logging;

namespace PetSitter.Email.Tests.Telemetry;

/// <summary>
/// An event id names one event wherever a log is read: two events sharing an id make a dashboard or an alert
/// count the wrong thing. Reads every <c>[LoggerMessage]</c> of every assembly the repository ships.
/// </summary>
public sealed class LogEventIdTests
{
    private static readonly Assembly[] Shipped =
    [
        typeof(EmailSender).Assembly,
        typeof(RedisEmailOptions).Assembly,
        typeof(OneClickUnsubscribeOptions).Assembly,
        typeof(PetSitter.Email.Testing.ScriptedSmtpServer).Assembly,
        Assembly.Load("petsitter-email"),
    ];

    [Fact]
    public void No_two_log_events_of_the_library_share_an_event_id()
    {
        var events = LogEvents();

        events.Should().Contain(e => e.Assembly == "PetSitter.Email", "the core library logs, so the reflection must find its events")
            .And.Contain(e => e.Assembly == "PetSitter.Email.Redis", "the Redis package logs too")
            .And.Contain(e => e.Assembly == "PetSitter.Email.AspNetCore", "the ASP.NET Core package logs too");
        var shared = events.GroupBy(e => e.Id)
            .Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(e => e.Method))}");
        shared.Should().BeEmpty("each event id belongs to one event (see LogEvents and docs/observability.md)");
    }

    [Fact]
    public void Every_log_event_names_its_id_in_its_areas_range()
    {
        var events = LogEvents();

        events.Should().OnlyContain(e => e.Id > 0, "an event without an id cannot be told apart in a log store");
        events.Where(e => e.Assembly == "PetSitter.Email").Should().OnlyContain(e => e.Id >= 1000 && e.Id < 4000);
        events.Where(e => e.Assembly == "PetSitter.Email.Redis").Should().OnlyContain(e => e.Id >= 4000 && e.Id < 5000);
        events.Where(e => e.Assembly == "PetSitter.Email.AspNetCore").Should().OnlyContain(e => e.Id >= 6000 && e.Id < 7000);
    }

    [Fact]
    public void The_observability_page_lists_every_log_event_with_its_id_and_level()
    {
        var page = File.ReadAllText(Path.Combine(RepoRoot(), "docs", "observability.md"));

        foreach (var e in LogEvents())
        {
            page.Should().Contain($"| {e.Id} | {e.Level} | ", $"{e.Method} is documented with its id and level");
        }
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

    private static List<LogEvent> LogEvents() =>
        [.. from assembly in Shipped
            from type in assembly.GetTypes()
            from method in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            let attribute = method.GetCustomAttribute<LoggerMessageAttribute>()
            where attribute is not null
            select new LogEvent(assembly.GetName().Name!, attribute.EventId, attribute.Level, $"{assembly.GetName().Name}:{type.FullName}.{method.Name}")];

    private sealed record LogEvent(string Assembly, int Id, LogLevel Level, string Method);
}
