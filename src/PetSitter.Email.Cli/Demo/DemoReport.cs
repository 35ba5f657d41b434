using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PetSitter.Email.Cli.Demo;

internal static class DemoReport
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static DemoEntry Entry(DemoBusiness business, SendOutcome outcome, IReadOnlyDictionary<string, string> serverNames, string pickupDirectory) => new(
        business.Id,
        outcome.Category.ToString(),
        outcome.Channel.ToString(),
        outcome.Status.ToString(),
        outcome.FailureKind?.ToString(),
        outcome.IsFallback,
        outcome.Location is { } location && serverNames.TryGetValue(location, out var name) ? $"{name} ({location})" : outcome.Location,
        outcome.DeferredUntil?.ToString("u", CultureInfo.InvariantCulture),
        outcome.Reason,
        outcome.MessageId,
        outcome.Suppression?.ToString());

    public static void WriteJson(TextWriter output, IReadOnlyList<DemoEntry> entries, string pickupDirectory, IReadOnlyList<DemoServerStats> servers, IReadOnlyList<string> ownerEvents)
    {
        var document = new
        {
            messages = entries,
            pickupDirectory,
            servers,
            ownerEvents,
            summary = Summary(entries),
        };
        output.WriteLine(JsonSerializer.Serialize(document, Json));
    }

    public static void WriteTable(TextWriter output, IReadOnlyList<DemoBusiness> businesses, IReadOnlyList<DemoEntry> entries, string pickupDirectory, IReadOnlyList<DemoServerStats> servers, IReadOnlyList<string> ownerEvents)
    {
        output.WriteLine("PetSitter.Email demo: seven businesses with six kinds of email each (two connected with Microsoft 365 sign-in, OAuth2), one sending a campaign, two channels; then a newsletter and an invoice to a client of Paws & Claws who unsubscribed. The OAuth token endpoint is a demo stand-in answered in process.");
        output.WriteLine();
        foreach (var business in businesses)
        {
            output.WriteLine($"  {business.Id,-11} {business.Name}: {business.Situation}");
        }

        output.WriteLine();
        string[] headers = ["Business", "Category", "Channel", "Status", "Failure", "Fallback", "Landed at / why"];
        var rows = entries.Select(e => new[]
        {
            e.Business,
            e.Category,
            e.Channel,
            e.Status,
            e.FailureKind ?? (e.Suppression is { } suppression ? $"Suppressed ({suppression})" : "-"),
            e.Fallback ? "yes" : "no",
            Landed(e, pickupDirectory),
        }).ToList();

        var widths = headers.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => i == headers.Length - 1 ? 0 : r[i].Length))).ToArray();
        WriteRow(output, headers, widths);
        WriteRow(output, widths.Select(w => new string('-', Math.Max(w, 3))).ToArray(), widths);
        foreach (var row in rows)
        {
            WriteRow(output, row, widths);
        }

        output.WriteLine();
        foreach (var line in Summary(entries))
        {
            output.WriteLine($"{line.Key}: {line.Value}");
        }

        output.WriteLine();
        output.WriteLine("SMTP servers (in-process, emulating providers):");
        foreach (var server in servers)
        {
            output.WriteLine($"  {server.Name,-15} {server.Address,-16} connections {server.Connections}, sign-ins ok {server.SignInsSucceeded} / refused {server.SignInsRefused}, messages received {server.MessagesReceived}");
        }

        if (ownerEvents.Count > 0)
        {
            output.WriteLine();
            output.WriteLine("What the owners are told:");
            foreach (var ownerEvent in ownerEvents)
            {
                output.WriteLine($"  {ownerEvent}");
            }
        }

        output.WriteLine();
        output.WriteLine($"Native mail was written as .eml files to {pickupDirectory}");
    }

    private static Dictionary<string, string> Summary(IReadOnlyList<DemoEntry> entries) => new()
    {
        ["messages"] = entries.Count.ToString(CultureInfo.InvariantCulture),
        ["sent via SMTP"] = entries.Count(e => e.Status == nameof(SendStatus.Sent) && e.Channel == nameof(EmailChannel.Smtp)).ToString(CultureInfo.InvariantCulture),
        ["sent via Native"] = entries.Count(e => e.Status == nameof(SendStatus.Sent) && e.Channel == nameof(EmailChannel.Native)).ToString(CultureInfo.InvariantCulture),
        ["of which by fallback"] = entries.Count(e => e.Status == nameof(SendStatus.Sent) && e.Fallback).ToString(CultureInfo.InvariantCulture),
        ["deferred"] = entries.Count(e => e.Status == nameof(SendStatus.Deferred)).ToString(CultureInfo.InvariantCulture),
        ["failed"] = entries.Count(e => e.Status == nameof(SendStatus.Failed)).ToString(CultureInfo.InvariantCulture),
        ["of which suppressed (marketing to a client who unsubscribed)"] = entries.Count(e => e.Suppression is not null).ToString(CultureInfo.InvariantCulture),
        ["delivery uncertain"] = entries.Count(e => e.Status == nameof(SendStatus.DeliveryUncertain)).ToString(CultureInfo.InvariantCulture),
    };

    private static string Landed(DemoEntry entry, string pickupDirectory)
    {
        if (entry.Location is { } location)
        {
            // The table names the .eml file; the directory is printed once below it.
            return location.StartsWith(pickupDirectory, StringComparison.Ordinal) ? "pickup/" + Path.GetFileName(location) : location;
        }

        return entry.DeferredUntil is null ? entry.Reason ?? "-" : $"held until {entry.DeferredUntil}, then retried: {entry.Reason}";
    }

    private static void WriteRow(TextWriter output, string[] cells, int[] widths) =>
        output.WriteLine(string.Join("  ", cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(widths[i]))).TrimEnd());
}
