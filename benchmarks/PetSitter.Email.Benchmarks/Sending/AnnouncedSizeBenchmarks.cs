using BenchmarkDotNet.Attributes;
using MailKit.Net.Smtp;
using MimeKit;
using MimeKit.IO;

namespace PetSitter.Email.Benchmarks;

/// <summary>
/// The transport's check of a message against the size the server announced (SIZE, as Postfix does by default)
/// before MAIL FROM: against writing the message out to measure it, which the check did for every send until the
/// bound of <see cref="MessageSizeBound"/> spared it for messages far below the limit.
/// </summary>
[MemoryDiagnoser]
public class AnnouncedSizeBenchmarks
{
    // Postfix's default message_size_limit, which it announces as SIZE (postconf(5), https://www.postfix.org/postconf.5.html#message_size_limit).
    private const uint PostfixDefaultSize = 10_240_000;

    private readonly MailboxAddress[] recipients = [new("A client", "client@example.com")];
    private MimeMessage message = null!;

    /// <summary>Gets or sets the message: the benchmarks' invoice, or the same with a 200 KB PDF attached.</summary>
    [Params("invoice", "invoice with 200 KB PDF")]
    public string Message { get; set; } = "invoice";

    [GlobalSetup]
    public void Setup()
    {
        message = BenchmarkMessages.Invoice(1);
        if (Message != "invoice")
        {
            var pdf = new byte[200_000];
            new Random(7).NextBytes(pdf);
            message.Body = new Multipart("mixed")
            {
                message.Body!,
                new MimePart("application", "pdf") { Content = new MimeContent(new MemoryStream(pdf)), FileName = "invoice.pdf" },
            };
        }
    }

    [Benchmark(Baseline = true, Description = "message written out and measured (the check before)")]
    public long Measured()
    {
        var options = FormatOptions.Default.Clone();
        options.NewLineFormat = NewLineFormat.Dos;
        using var measure = new MeasuringStream();
        message.WriteTo(options, measure);
        return measure.Length;
    }

    [Benchmark(Description = "SmtpConnection.EnsureServerCanTake, Postfix's default SIZE")]
    public void Checked() => SmtpConnection.EnsureServerCanTake(message, recipients, SmtpCapabilities.Size | SmtpCapabilities.EightBitMime, PostfixDefaultSize, "mail.pawsandclaws.example:587");
}
