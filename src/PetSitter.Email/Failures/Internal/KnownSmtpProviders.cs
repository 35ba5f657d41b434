namespace PetSitter.Email.Failures;

/// <summary>
/// Recognises a provider: from the name the account gives, else the SMTP host name, else the server's
/// greeting and EHLO banner (owners put their own host names in front of Microsoft 365 or Google), else the
/// signature in the reply itself. What it knows of each provider comes from <see cref="SmtpProviderCatalogue"/>,
/// the same record the send limits and diagnostics read.
/// </summary>
internal static class KnownSmtpProviders
{
    /// <summary>
    /// Names the provider whose rules and advice apply, and why. The first source that knows wins: the
    /// account's <see cref="SmtpAccountSettings.Provider"/> (an override, as <c>diagnose --provider</c> gives),
    /// the host name, the server's banner, then the reply's signature.
    /// </summary>
    public static ProviderDetection Detect(string? host, string? named = null, string? banner = null, string? reply = null)
    {
        if (SmtpProviderCatalogue.FindByName(named) is { Provider: { } byName })
        {
            return new(byName.Kind, byName.Name, $"the account names its provider \"{named!.Trim()}\"");
        }

        if (SmtpProviderCatalogue.FromHost(host) is { } byHost)
        {
            return new(byHost.Kind, byHost.Name, $"the host name {host!.Trim()}");
        }

        if (SmtpProviderCatalogue.FromBanner(banner) is { } byBanner)
        {
            return new(byBanner.Provider.Kind, byBanner.Provider.Name, $"the server introduced itself as \"{Shorten(byBanner.Line)}\"");
        }

        if (SmtpProviderCatalogue.FromReply(reply) is { } byReply)
        {
            return new(byReply.Provider.Kind, byReply.Provider.Name, $"the reply carries {byReply.Provider.Name}'s signature (\"{byReply.Signature}\")");
        }

        return ProviderDetection.None;
    }

    /// <summary>The provider of a preset name (<c>Google Workspace</c> reads replies as Gmail does); <see langword="null"/> for no or an unknown name.</summary>
    public static (KnownSmtpProvider Provider, string Name)? FromName(string? name) =>
        SmtpProviderCatalogue.FindByName(name) is { } found ? (found.Provider?.Kind ?? KnownSmtpProvider.Unknown, found.Preset.Name) : null;

    public static KnownSmtpProvider FromHost(string? host) =>
        SmtpProviderCatalogue.FromHost(host)?.Kind ?? KnownSmtpProvider.Unknown;

    /// <summary>
    /// Guesses the provider from a reply's signature when the host is not known (the sender does not
    /// always pass it): Gmail ends its replies with "gsmtp", Exchange Online names its STOREDRV
    /// component or its aka.ms help links.
    /// </summary>
    public static KnownSmtpProvider FromReply(string text) =>
        SmtpProviderCatalogue.FromReply(text)?.Provider.Kind ?? KnownSmtpProvider.Unknown;

    private static string Shorten(string line) => line.Length <= 160 ? line : line[..160] + "...";
}

/// <summary>The provider whose rules read a reply, with the reason it was assumed.</summary>
/// <param name="Provider">The provider, or <see cref="KnownSmtpProvider.Unknown"/>.</param>
/// <param name="Name">The provider's name as the owner knows it; <see langword="null"/> when unknown.</param>
/// <param name="Because">What identified it, for example "the host name smtp.gmail.com"; <see langword="null"/> when unknown.</param>
internal sealed record ProviderDetection(KnownSmtpProvider Provider, string? Name, string? Because)
{
    public static ProviderDetection None { get; } = new(KnownSmtpProvider.Unknown, null, null);
}
