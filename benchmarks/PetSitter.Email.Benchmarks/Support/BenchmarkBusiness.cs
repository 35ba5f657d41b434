namespace PetSitter.Email.Benchmarks;

/// <summary>The one business the send-path benchmark and its profile harness send for, so both measure the same settings.</summary>
internal static class BenchmarkBusiness
{
    public static SmtpAccountSettings Account() => new()
    {
        Host = "smtp.pawsandclaws.example",
        UserName = "hello@pawsandclaws.example",
        Password = "app-password",
        FromAddress = "hello@pawsandclaws.example",

        // A per-second window is counted on every send; the system clock never lets it fill at this rate.
        Limits = new SendLimits { MessagesPerSecond = SendLimits.MaxLimit },
    };

    public static BusinessEmailSettings Settings(SmtpAccountSettings account) => new()
    {
        BusinessId = "paws-and-claws",
        BusinessName = "Paws & Claws",
        ReplyToAddress = "hello@pawsandclaws.example",
        Smtp = account,
    };
}
