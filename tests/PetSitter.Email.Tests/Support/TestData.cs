using MimeKit;

namespace PetSitter.Email.Tests.Support;

internal static class TestData
{
    public static SmtpAccountSettings Account(string host = "smtp.paws.example", int port = 587) => new()
    {
        Host = host,
        Port = port,
        UserName = "hello@paws.example",
        Password = "s3cret-Pa55word!",
        FromAddress = "hello@paws.example",
    };

    public static BusinessEmailSettings Business(string id = "paws", SmtpAccountSettings? smtp = null, bool onlyDirect = false, bool smtpEnabled = true) => new()
    {
        BusinessId = id,
        BusinessName = "Paws & Claws",
        ReplyToAddress = "office@paws.example",
        Smtp = smtp,
        SmtpEnabled = smtpEnabled,
        OnlyUseSmtpForDirectEmails = onlyDirect,
    };

    public static MimeMessage Message(string subject = "Invoice #1042", string to = "client@example.com")
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Paws & Claws", "hello@paws.example"));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = subject;
        message.Body = new TextPart("plain") { Text = "Thanks for letting us look after Bello." };
        return message;
    }
}
