using System.Collections.Concurrent;
using BenchmarkDotNet.Attributes;

namespace PetSitter.Email.Benchmarks;

/// <summary>
/// The channel decision for each of the six categories, against the cheapest table a user could keep
/// instead: an int-keyed <see cref="ConcurrentDictionary{TKey, TValue}"/> holding the same answers.
/// </summary>
[MemoryDiagnoser]
public class RoutingBenchmarks
{
    private const int Categories = 6;

    private readonly BusinessEmailSettings settings = new()
    {
        BusinessId = "paws-and-claws",
        BusinessName = "Paws & Claws",
        ReplyToAddress = "hello@pawsandclaws.example",
        OnlyUseSmtpForDirectEmails = true,
        Smtp = new SmtpAccountSettings { Host = "smtp.pawsandclaws.example", FromAddress = "hello@pawsandclaws.example" },
    };

    private readonly ConcurrentDictionary<int, EmailChannel> table = new();

    [GlobalSetup]
    public void Setup()
    {
        for (var category = EmailCategory.Marketing; category <= EmailCategory.SystemNotification; category++)
        {
            table[(int)category] = EmailRouter.Route(settings, category);
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Categories, Description = "ConcurrentDictionary<int, EmailChannel> lookup")]
    public int DictionaryLookup()
    {
        var smtp = 0;
        for (var category = EmailCategory.Marketing; category <= EmailCategory.SystemNotification; category++)
        {
            smtp += table[(int)category] == EmailChannel.Smtp ? 1 : 0;
        }

        return smtp;
    }

    [Benchmark(OperationsPerInvoke = Categories, Description = "EmailRouter.Route(settings, category)")]
    public int Route()
    {
        var smtp = 0;
        for (var category = EmailCategory.Marketing; category <= EmailCategory.SystemNotification; category++)
        {
            smtp += EmailRouter.Route(settings, category) == EmailChannel.Smtp ? 1 : 0;
        }

        return smtp;
    }
}
