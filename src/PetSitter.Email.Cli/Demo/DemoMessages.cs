using System.Globalization;
using System.Text;
using MimeKit;

namespace PetSitter.Email.Cli.Demo;

/// <summary>A realistic week of a pet-sitting business's email, one message per category.</summary>
internal static class DemoMessages
{
    private static readonly string[] Clients = ["olivia.hart@example.com", "sam.nguyen@example.net", "priya.k@example.org", "tom.becker@example.com"];
    private static readonly string[] Pets = ["Bello", "Luna", "Max", "Mochi"];

    public static IEnumerable<(EmailCategory Category, MimeMessage Message)> For(DemoBusiness business, int seed)
    {
        var client = Clients[seed % Clients.Length];
        var pet = Pets[seed % Pets.Length];
        var number = 1040 + (seed * 7);

        yield return (EmailCategory.SystemNotification, Text(business, client,
            $"Booking confirmed: {pet}'s visits, 2–6 December",
            $"Hi,\n\nYour booking with {business.Name} is confirmed: two visits a day for {pet}, 2–6 December.\nWe will send a photo after each visit.\n"));

        yield return (EmailCategory.Quote, WithPdf(business, client,
            $"Quote Q-{number} for {pet}'s holiday care",
            $"Please find attached our quote for looking after {pet} while you are away.",
            $"Quote-Q-{number}.pdf", Pdf($"Quote Q-{number}", pet, 185.00m)));

        yield return (EmailCategory.General, Text(business, client,
            $"{pet} had a lovely walk today 🐾",
            $"{pet} enjoyed a 45-minute walk in the park, ate all their dinner and is now asleep on the sofa.\n"));

        yield return (EmailCategory.Invoice, WithPdf(business, client,
            $"Invoice INV-{number} from {business.Name}",
            $"Thank you for choosing {business.Name}. Your invoice for {pet}'s care is attached; payment is due within 14 days.",
            $"Invoice-INV-{number}.pdf", Pdf($"Invoice INV-{number}", pet, 212.50m)));

        yield return (EmailCategory.AccountSummary, WithPdf(business, client,
            "Your account summary for November",
            "Your statement for November is attached: 12 visits, 1 invoice paid, nothing outstanding.",
            "Statement-November.pdf", Pdf("Statement November", pet, 0m)));

        yield return (EmailCategory.Marketing, Text(business, client,
            $"December at {business.Name}: book Christmas visits early",
            "Our Christmas diary is filling up: book before 10 December and get a free extra visit.\n\nReply STOP to unsubscribe.\n"));
    }

    /// <summary>
    /// A campaign of <paramref name="size"/> messages, then an invoice: the campaign stops at marketing's share of the
    /// mailbox's day, the rest is deferred, and the invoice still goes over SMTP.
    /// </summary>
    public static IEnumerable<(EmailCategory Category, MimeMessage Message)> Campaign(DemoBusiness business, int size)
    {
        for (var i = 0; i < size; i++)
        {
            yield return (EmailCategory.Marketing, Text(business, Clients[i % Clients.Length],
                $"Spring walks at {business.Name}: 10 % off in March",
                "Book three walks in March and the fourth is on us.\n\nReply STOP to unsubscribe.\n"));
        }

        yield return (EmailCategory.Invoice, WithPdf(business, Clients[0],
            $"Invoice INV-2001 from {business.Name}",
            $"Thank you for choosing {business.Name}. Your invoice for Bello's walks is attached; payment is due within 14 days.",
            "Invoice-INV-2001.pdf", Pdf("Invoice INV-2001", "Bello", 96.00m)));
    }

    /// <summary>The client who unsubscribed from the business's marketing (the demo puts her on its suppression list).</summary>
    public const string UnsubscribedClient = "priya.k@example.org";

    /// <summary>A newsletter and an invoice to the client who unsubscribed: the first is not sent, the second is.</summary>
    public static IEnumerable<(EmailCategory Category, MimeMessage Message)> ToUnsubscribedClient(DemoBusiness business)
    {
        yield return (EmailCategory.Marketing, Text(business, UnsubscribedClient,
            $"New year at {business.Name}: a free first walk for friends you refer",
            "Refer a friend in January and their first walk is on us.\n"));

        yield return (EmailCategory.Invoice, WithPdf(business, UnsubscribedClient,
            $"Invoice INV-1099 from {business.Name}",
            $"Thank you for choosing {business.Name}. Your invoice for Mochi's care is attached; payment is due within 14 days.",
            "Invoice-INV-1099.pdf", Pdf("Invoice INV-1099", "Mochi", 96.00m)));
    }

    private static MimeMessage Text(DemoBusiness business, string client, string subject, string body)
    {
        var message = Envelope(business, client, subject);
        message.Body = new TextPart("plain") { Text = body };
        return message;
    }

    private static MimeMessage WithPdf(DemoBusiness business, string client, string subject, string text, string fileName, byte[] pdf)
    {
        var message = Envelope(business, client, subject);
        var builder = new BodyBuilder { TextBody = $"Hi,\n\n{text}\n\nKind regards,\n{business.Name}\n" };
        builder.Attachments.Add(fileName, pdf, new ContentType("application", "pdf"));
        message.Body = builder.ToMessageBody();
        return message;
    }

    private static MimeMessage Envelope(DemoBusiness business, string client, string subject)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress(business.Name, business.ReplyTo));
        message.To.Add(MailboxAddress.Parse(client));
        message.Subject = subject;
        return message;
    }

    /// <summary>A small, well-formed one-page PDF with the document's title and amount.</summary>
    private static byte[] Pdf(string title, string pet, decimal amount)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"{title} - care for {pet} - total GBP {amount:0.00}");
        var content = $"BT /F1 14 Tf 72 720 Td ({text}) Tj ET";
        var objects = new[]
        {
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
            $"<< /Length {content.Length} >>\nstream\n{content}\nendstream",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        };

        var pdf = new StringBuilder("%PDF-1.4\n");
        var offsets = new List<int>();
        for (var i = 0; i < objects.Length; i++)
        {
            offsets.Add(pdf.Length);
            pdf.Append(CultureInfo.InvariantCulture, $"{i + 1} 0 obj\n{objects[i]}\nendobj\n");
        }

        var xref = pdf.Length;
        pdf.Append(CultureInfo.InvariantCulture, $"xref\n0 {objects.Length + 1}\n0000000000 65535 f \n");
        foreach (var offset in offsets)
        {
            pdf.Append(CultureInfo.InvariantCulture, $"{offset:D10} 00000 n \n");
        }

        pdf.Append(CultureInfo.InvariantCulture, $"trailer\n<< /Size {objects.Length + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return Encoding.ASCII.GetBytes(pdf.ToString());
    }
}
