using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using MimeKit;

namespace PetSitter.Email.Tests.Limits;

/// <summary>
/// Simulated days of one business's mail on a fake clock: a campaign handed over at once, invoices through the day,
/// and the deferred-mail dispatcher working through what was held back, as the app's background service would.
/// The SMTP side is <see cref="CampaignTransport"/> (what the provider accepted, and when); the store, the channel, the
/// sender, the queue and the dispatcher are the library's own.
/// </summary>
/// <remarks>
/// Sends are at least a second apart (a dispatcher pass takes one message, an invoice goes a second after it), so the
/// per-second window, which the app's MaxThrottleWait of 0 would hand back as a fallback, never decides anything:
/// only the hour and day windows, marketing's share of them and the warm-up do.
/// </remarks>
internal sealed class CampaignWorld(FakeTimeProvider time, IEmailSender sender, Func<CancellationToken, Task<int>> dispatchDue)
{
    /// <summary>The fallback settings these runs need: one message per pass, and a week-long campaign is not given up on.</summary>
    public static void Fallback(FallbackPolicyOptions options)
    {
        options.DeferredBatchSize = 1;
        options.MaxDeferral = TimeSpan.FromDays(30);
        options.MaxDeferredAttempts = 1000;
    }

    /// <summary>Gets the first outcome of each message, by Message-ID.</summary>
    public ConcurrentDictionary<string, SendOutcome> FirstOutcomes { get; } = new(StringComparer.Ordinal);

    /// <summary>Hands a message to the sender as the app would.</summary>
    public async Task<SendOutcome> SendAsync(string businessId, EmailCategory category, int number)
    {
        var message = new MimeMessage { MessageId = $"{category}-{number:00000}@campaign.test", Subject = $"{category} #{number}" };
        message.From.Add(new MailboxAddress("Paws & Claws", "paws.sitting@gmail.com"));
        message.To.Add(MailboxAddress.Parse($"client{number % 400}@clients.example"));
        message.Body = new TextPart("plain") { Text = "Autumn walks are booking up: reply to reserve Bello's slot." };
        var outcome = await sender.SendAsync(new OutgoingEmail(businessId, category, message), CancellationToken.None);
        FirstOutcomes.TryAdd(message.MessageId, outcome).Should().BeTrue("each message is handed over once");
        return outcome;
    }

    /// <summary>
    /// Hands the campaign over at once, then runs the clock until the queue is empty: a dispatcher pass every 2 seconds
    /// while it sends, every 5 minutes while nothing goes out, and an invoice every <paramref name="invoiceEvery"/> (a second
    /// after a pass) until the queue empties or <paramref name="maxDays"/> pass.
    /// </summary>
    /// <returns>The invoices' outcomes.</returns>
    public async Task<List<SendOutcome>> RunAsync(string businessId, int campaign, TimeSpan? invoiceEvery, CampaignTransport transport, IDeferredEmailQueue queue, int maxDays)
    {
        for (var i = 0; i < campaign; i++)
        {
            await SendAsync(businessId, EmailCategory.Marketing, i);
        }

        var invoices = new List<SendOutcome>();
        var end = time.GetUtcNow() + TimeSpan.FromDays(maxDays);
        var nextInvoice = time.GetUtcNow() + (invoiceEvery ?? TimeSpan.Zero);
        while (await queue.CountAsync(CancellationToken.None) > 0)
        {
            time.GetUtcNow().Should().BeBefore(end, "the campaign is sent within {0} days", maxDays);
            var before = transport.Accepted.Count;
            await dispatchDue(CancellationToken.None);
            time.Advance(TimeSpan.FromSeconds(1));
            if (invoiceEvery is { } every && time.GetUtcNow() >= nextInvoice)
            {
                invoices.Add(await SendAsync(businessId, EmailCategory.Invoice, 100_000 + invoices.Count));
                nextInvoice += every;
            }

            time.Advance(transport.Accepted.Count > before ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(299));
        }

        return invoices;
    }
}

/// <summary>An SMTP transport that accepts everything and records when (on the fake clock) and which category it took.</summary>
internal sealed class CampaignTransport(TimeProvider time) : ISmtpTransport
{
    private readonly ConcurrentQueue<(DateTimeOffset At, bool Marketing, string MessageId)> _accepted = new();

    public IReadOnlyList<(DateTimeOffset At, bool Marketing, string MessageId)> Accepted => [.. _accepted];

    public Task<DeliveryReceipt> SendAsync(SmtpAccountSettings account, MimeMessage message, CancellationToken cancellationToken)
    {
        var id = message.MessageId ?? string.Empty;
        _accepted.Enqueue((time.GetUtcNow(), id.StartsWith(nameof(EmailCategory.Marketing), StringComparison.Ordinal), id));
        return Task.FromResult(new DeliveryReceipt($"{account.Host}:{account.Port}", "250 2.0.0 OK"));
    }
}

/// <summary>Hears the final outcomes the dispatcher reports.</summary>
internal sealed class CampaignListener : IEmailOutcomeListener
{
    public ConcurrentQueue<SendOutcome> Outcomes { get; } = new();

    public ValueTask OnOutcomeAsync(SendOutcome outcome, CancellationToken cancellationToken)
    {
        Outcomes.Enqueue(outcome);
        return ValueTask.CompletedTask;
    }
}
