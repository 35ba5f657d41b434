using System.Globalization;
using MimeKit;

namespace PetSitter.Email.Benchmarks;

/// <summary>The message every send benchmark sends: a one-recipient invoice with a short text body.</summary>
internal static class BenchmarkMessages
{
    public static MimeMessage Invoice(int number)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Paws & Claws", "hello@pawsandclaws.example"));
        message.To.Add(new MailboxAddress("A client", "client@example.com"));
        message.Subject = string.Create(CultureInfo.InvariantCulture, $"Invoice {number}");
        message.Body = new TextPart("plain")
        {
            Text = "Thank you for choosing Paws & Claws. Your invoice for last week's visits is attached below.\r\n\r\n"
                + "3 visits x 30 minutes ........ 75.00\r\nTotal ........................ 75.00\r\n",
        };
        return message;
    }
}
