using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using PetSitter.Email.OAuth;

namespace PetSitter.Email.Cli.Demo;

/// <summary>
/// <c>demo</c>: the whole library on its embedded default. In-process SMTP servers stand in for the
/// providers, a temporary pickup directory for the native mailer; nothing leaves the machine.
/// </summary>
internal static class DemoCommand
{
    /// <summary>Marketing messages in the campaign step: more than the 6 of the mailbox's 10 a day that marketing may use.</summary>
    public const int CampaignSize = 8;

    public static Command Create(TextWriter output)
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON document with an entry per message instead of the table." };
        var pickup = new Option<DirectoryInfo?>("--pickup-dir") { Description = "Where native mail is written as .eml files (default: a new temporary directory)." };
        var command = new Command("demo", "Send a realistic mix of a pet-sitting business's email through both channels on in-process servers, and show what went where and why.")
        {
            json,
            pickup,
        };
        command.SetAction((parseResult, cancellationToken) =>
            RunAsync(output, parseResult.GetValue(json), parseResult.GetValue(pickup)?.FullName, cancellationToken));
        return command;
    }

    public static async Task<int> RunAsync(TextWriter output, bool json, string? pickupDirectory, CancellationToken cancellationToken)
    {
        pickupDirectory ??= Path.Combine(Path.GetTempPath(), "petsitter-email-demo", TimeProvider.System.GetUtcNow().ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(pickupDirectory);

        await using var world = await DemoWorld.StartAsync(cancellationToken).ConfigureAwait(false);
        var services = new ServiceCollection();
        var businesses = new List<DemoBusiness>(world.Businesses);
        services.AddSingleton<IBusinessEmailSettingsProvider>(new DemoSettingsProvider(businesses));
        var email = services.AddPetSitterEmail(options => options.Smtp.Timeout = TimeSpan.FromSeconds(10))
            .UsePickupDirectory(pickupDirectory);
        email.AddOAuth(DemoOAuth.Configure).UseInMemoryGrantStore()
            .TokenClient.ConfigurePrimaryHttpMessageHandler(static () => new DemoTokenEndpoint());

        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        businesses.AddRange(await DemoOAuth.ConnectAsync(provider, world.OAuthServer, cancellationToken).ConfigureAwait(false));
        var sender = provider.GetRequiredService<IEmailSender>();
        var ownerEvents = new List<string>();
        var health = provider.GetRequiredService<IAccountHealthMonitor>();
        health.HealthChanged += (_, change) =>
        {
            lock (ownerEvents)
            {
                ownerEvents.Add(change.Current.IsHealthy
                    ? $"{change.BusinessId}: your email account is working again."
                    : $"{change.BusinessId}: {change.Advice}{(change.Current.Until is { } until ? $" (SMTP paused until {until:yyyy-MM-dd HH:mm} UTC)" : string.Empty)}"
                        + (change.RequiredAction == RequiredAction.None ? string.Empty : $" [required action: {change.RequiredAction}]"));
            }
        };

        var serverNames = world.Servers.ToDictionary(s => $"{s.Server.Host}:{s.Server.Port}", s => s.Name, StringComparer.Ordinal);
        var entries = new List<DemoEntry>();
        for (var i = 0; i < businesses.Count; i++)
        {
            var business = businesses[i];
            var messages = business.Id == DemoWorld.CampaignBusiness ? DemoMessages.Campaign(business, CampaignSize) : DemoMessages.For(business, i);
            foreach (var (category, message) in messages)
            {
                var outcome = await sender.SendAsync(new OutgoingEmail(business.Id, category, message), cancellationToken).ConfigureAwait(false);
                entries.Add(DemoReport.Entry(business, outcome, serverNames, pickupDirectory));
            }
        }

        // One client of Paws & Claws unsubscribed (as the one-click endpoint of PetSitter.Email.AspNetCore records it):
        // the newsletter to her is not sent on any channel, her invoice still goes through the owner's mailbox.
        var paws = world.Businesses.Single(b => b.Id == "paws");
        await provider.GetRequiredService<ISuppressionList>().AddAsync(paws.Id, DemoMessages.UnsubscribedClient, SuppressionReason.Unsubscribed, cancellationToken).ConfigureAwait(false);
        foreach (var (category, message) in DemoMessages.ToUnsubscribedClient(paws))
        {
            var outcome = await sender.SendAsync(new OutgoingEmail(paws.Id, category, message), cancellationToken).ConfigureAwait(false);
            entries.Add(DemoReport.Entry(paws, outcome, serverNames, pickupDirectory));
        }

        var servers = world.Servers.Select(s => new DemoServerStats(
            s.Name,
            $"{s.Server.Host}:{s.Server.Port}",
            s.Server.ConnectionsOpened,
            s.Server.AuthenticationsSucceeded,
            s.Server.AuthenticationsFailed,
            s.Server.Messages.Count)).ToList();

        if (json)
        {
            DemoReport.WriteJson(output, entries, pickupDirectory, servers, ownerEvents);
        }
        else
        {
            DemoReport.WriteTable(output, businesses, entries, pickupDirectory, servers, ownerEvents);
        }

        return 0;
    }
}
