using System.Collections.Concurrent;
using MimeKit;

namespace PetSitter.Email.Redis.Tests.Support;

/// <summary>Businesses the tests send for; settings can be swapped mid-test (a fixed password).</summary>
internal sealed class Settings : IBusinessEmailSettingsProvider
{
    private readonly ConcurrentDictionary<string, BusinessEmailSettings> _businesses = new(StringComparer.Ordinal);

    public Settings(params BusinessEmailSettings[] businesses)
    {
        foreach (var business in businesses)
        {
            Set(business);
        }
    }

    public void Set(BusinessEmailSettings business) => _businesses[business.BusinessId] = business;

    public ValueTask<BusinessEmailSettings?> GetSettingsAsync(string businessId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_businesses.TryGetValue(businessId, out var business) ? business : null);

    public static SmtpAccountSettings Gmail(string user = "paws.sitting@gmail.com", string password = "app-password-1") => new()
    {
        Host = "smtp.gmail.com",
        Port = 587,
        UserName = user,
        Password = password,
        FromAddress = user,
    };

    /// <summary>An account on a host no preset knows: no send limits, so only what a test sets up holds mail back.</summary>
    public static SmtpAccountSettings Unlimited(string password = "s3cret-1") => new()
    {
        Host = "smtp.paws.example",
        Port = 587,
        UserName = "hello@paws.example",
        Password = password,
        FromAddress = "hello@paws.example",
    };

    public static BusinessEmailSettings Business(SmtpAccountSettings smtp, string id = "paws") => new()
    {
        BusinessId = id,
        BusinessName = "Paws & Claws",
        ReplyToAddress = "office@paws.example",
        Smtp = smtp,
    };

    public static OutgoingEmail Email(EmailCategory category, int number, string businessId = "paws")
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Paws & Claws", "office@paws.example"));
        message.To.Add(new MailboxAddress("Client", $"client{number}@example.com"));
        message.Subject = $"Message {number}";
        message.MessageId = $"m{number}.{Guid.NewGuid():N}@paws.example";
        message.Body = new TextPart("plain") { Text = $"Hello number {number}." };
        return new OutgoingEmail(businessId, category, message);
    }
}
