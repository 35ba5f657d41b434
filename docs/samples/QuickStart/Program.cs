using MimeKit;
using PetSitter.Email;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddSingleton<IBusinessEmailSettingsProvider, MyBusinessSettings>();
builder.Services
    .AddPetSitterEmail(options => options.Native.PlatformFromAddress = "mailer@petsoftware.net")
    .UsePickupDirectory("/var/spool/petsitter/native");

var app = builder.Build();

app.MapPost("/invoices/{id}/send", async (string id, IEmailSender email, CancellationToken ct) =>
{
    var message = new MimeMessage();
    message.To.Add(MailboxAddress.Parse("client@example.com"));
    message.Subject = $"Invoice {id}";
    message.Body = new TextPart("plain") { Text = "Thank you for choosing us." };

    SendOutcome outcome = await email.SendAsync(new OutgoingEmail("paws-and-claws", EmailCategory.Invoice, message), ct);
    return Results.Ok(new { outcome.Status, outcome.Channel, outcome.IsFallback, outcome.Reason });
});

app.Run();

sealed class MyBusinessSettings : IBusinessEmailSettingsProvider
{
    public ValueTask<BusinessEmailSettings?> GetSettingsAsync(string businessId, CancellationToken cancellationToken) =>
        ValueTask.FromResult<BusinessEmailSettings?>(new BusinessEmailSettings
        {
            BusinessId = businessId,
            BusinessName = "Paws & Claws",
            ReplyToAddress = "hello@pawsandclaws.example",
            OnlyUseSmtpForDirectEmails = true,
            Smtp = new SmtpAccountSettings
            {
                Host = "smtp.gmail.com",
                Port = 587,
                UserName = "hello@pawsandclaws.example",
                Password = "app password from your store",
                FromAddress = "hello@pawsandclaws.example",
            },
        });
}
