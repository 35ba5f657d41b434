using System.Globalization;

namespace PetSitter.Email.Telemetry;

/// <summary>
/// Attribute names and the strings of their values. Values are cached strings, never boxed enums, so
/// recording a measurement allocates nothing; every value comes from a small closed set (cardinality).
/// </summary>
internal static class TelemetryTags
{
    public const string BusinessId = "petsitter.email.business_id";
    public const string Category = "petsitter.email.category";
    public const string Channel = "petsitter.email.channel";
    public const string PlannedChannel = "petsitter.email.planned_channel";
    public const string Outcome = "petsitter.email.outcome";
    public const string Fallback = "petsitter.email.fallback";
    public const string FallbackFrom = "petsitter.email.fallback.from";
    public const string FallbackTo = "petsitter.email.fallback.to";
    public const string Resend = "petsitter.email.resend";
    public const string Provider = "petsitter.email.provider";
    public const string SmtpStage = "petsitter.email.smtp.stage";
    public const string LimitWindow = "petsitter.email.limit.window";
    public const string ThrottleResult = "petsitter.email.throttle.result";
    public const string ThrottleWait = "petsitter.email.throttle.wait";
    public const string Queue = "petsitter.email.queue";

    /// <summary>The OpenTelemetry attribute for the class of an error: the <see cref="SmtpFailureKind"/> here, or an exception's type.</summary>
    public const string ErrorType = "error.type";

    public const string Acquired = "acquired";
    public const string Refused = "refused";

    public static readonly object True = true;
    public static readonly object False = false;

    private static readonly string[] Categories = Names<EmailCategory>();
    private static readonly string[] Channels = Names<EmailChannel>();
    private static readonly string[] Statuses = Names<SendStatus>();
    private static readonly string[] Kinds = Names<SmtpFailureKind>();
    private static readonly string[] Stages = Names<SmtpStage>();
    private static readonly string[] Windows = Names<LimitWindow>();
    private static readonly string[] Providers = Names<KnownSmtpProvider>();

    public static object Bool(bool value) => value ? True : False;

    public static string Of(EmailCategory value) => Lookup(Categories, (int)value);

    public static string Of(EmailChannel value) => Lookup(Channels, (int)value);

    public static string Of(SendStatus value) => Lookup(Statuses, (int)value);

    public static string Of(SmtpFailureKind value) => Lookup(Kinds, (int)value);

    public static string Of(SmtpStage value) => Lookup(Stages, (int)value);

    public static string Of(LimitWindow value) => Lookup(Windows, (int)value);

    /// <summary>The provider a host belongs to, or <c>Other</c>: a fixed set whatever the host, so it is safe as a metric tag.</summary>
    public static string ProviderOf(string? host)
    {
        var provider = KnownSmtpProviders.FromHost(host);
        return provider == KnownSmtpProvider.Unknown ? "Other" : Lookup(Providers, (int)provider);
    }

    private static string Lookup(string[] names, int value) =>
        (uint)value < (uint)names.Length && names[value] is { } name ? name : "Unknown";

    /// <summary>The names of an enum's values, indexed by value (its values are small and non-negative).</summary>
    private static string[] Names<T>()
        where T : struct, Enum
    {
        var values = Enum.GetValues<T>();
        var names = new string[values.Max(static v => Convert.ToInt32(v, CultureInfo.InvariantCulture)) + 1];
        foreach (var value in values)
        {
            names[Convert.ToInt32(value, CultureInfo.InvariantCulture)] = value.ToString();
        }

        return names;
    }
}
