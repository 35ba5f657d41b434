using PetSitter.Email.Testing;

namespace PetSitter.Email.Cli.Demo;

/// <summary>
/// The demo's stand-ins for the real world: in-process SMTP servers that answer like real providers
/// (one healthy, one that reaches its daily limit mid-run, one where the stored password is wrong)
/// and the businesses that use them.
/// </summary>
internal sealed class DemoWorld : IAsyncDisposable
{
    /// <summary>Microsoft 365's emulator accepts this many messages, then answers that the daily quota is used up.</summary>
    public const int QuotaAfterMessages = 3;

    /// <summary>The business whose campaign is held to marketing's share while its invoice goes over SMTP.</summary>
    public const string CampaignBusiness = "wagtails";

    /// <summary>Its mailbox's daily limit: marketing may use 60 % of it (6), the rest is kept for direct mail.</summary>
    public const int CampaignDailyLimit = 10;

    private DemoWorld(IReadOnlyList<(string Name, ScriptedSmtpServer Server)> servers, IReadOnlyList<DemoBusiness> businesses, ScriptedSmtpServer oauth)
    {
        Servers = servers;
        Businesses = businesses;
        OAuthServer = oauth;
    }

    /// <summary>Gets the emulated Microsoft 365 server that accepts only the demo token endpoint's access token (XOAUTH2).</summary>
    public ScriptedSmtpServer OAuthServer { get; }

    public IReadOnlyList<(string Name, ScriptedSmtpServer Server)> Servers { get; }

    public IReadOnlyList<DemoBusiness> Businesses { get; }

    public static async Task<DemoWorld> StartAsync(CancellationToken cancellationToken)
    {
        var gmail = await ScriptedSmtpServer.StartAsync(
            new ScriptedSmtpServerOptions { Security = ScriptedServerSecurity.StartTlsRequired, ServerName = "smtp.gmail.emulated", UserName = "paws@gmail.example", Password = "demo-app-password" },
            cancellationToken).ConfigureAwait(false);

        var office = await ScriptedSmtpServer.StartAsync(
            new ScriptedSmtpServerOptions { Security = ScriptedServerSecurity.StartTlsRequired, ServerName = "smtp.office365.emulated" },
            cancellationToken).ConfigureAwait(false);
        office.Script = context => context.Stage == SmtpStage.AfterData && context.MessagesReceived >= QuotaAfterMessages
            ? ProviderReplies.Microsoft365.SubmissionQuotaExceeded
            : null;

        var wrongPassword = await ScriptedSmtpServer.StartAsync(
            new ScriptedSmtpServerOptions { Security = ScriptedServerSecurity.StartTlsRequired, ServerName = "smtp.gmail.emulated" },
            cancellationToken).ConfigureAwait(false);
        wrongPassword.Script = context => context.Stage == SmtpStage.Authenticate ? ProviderReplies.Gmail.BadCredentials : null;

        var campaign = await ScriptedSmtpServer.StartAsync(
            new ScriptedSmtpServerOptions { Security = ScriptedServerSecurity.StartTlsRequired, ServerName = "smtp.wagtails.emulated" },
            cancellationToken).ConfigureAwait(false);

        var oauth = await ScriptedSmtpServer.StartAsync(DemoOAuth.ServerOptions(), cancellationToken).ConfigureAwait(false);

        var businesses = new List<DemoBusiness>
        {
            Business("whiskers", "Whiskers & Co", "hello@whiskers.example", "no SMTP configured: everything native", smtp: null, onlyDirect: false, server: null),
            Business("paws", "Paws & Claws", "hello@pawsandclaws.example", "own Gmail, \"Only Use for Direct Emails\" OFF: everything over SMTP",
                WithProvider(gmail.CreateAccountSettings("paws@gmail.example"), "Gmail"), onlyDirect: false, server: "gmail"),
            Business("happytails", "Happy Tails", "bookings@happytails.example", "own Gmail, \"Only Use for Direct Emails\" ON: documents native",
                WithProvider(gmail.CreateAccountSettings("paws@gmail.example"), "Gmail"), onlyDirect: true, server: "gmail"),
            Business("barkingmad", "Barking Mad Dog Walkers", "office@barkingmad.example", $"Microsoft 365 that reaches its daily limit after {QuotaAfterMessages} messages",
                WithProvider(office.CreateAccountSettings("office@barkingmad.example", "office@barkingmad.example", "correct-password"), "Microsoft 365"), onlyDirect: false, server: "office365"),
            Business("furfriends", "Fur Friends", "hi@furfriends.example", "Gmail whose stored password is wrong",
                WithProvider(wrongPassword.CreateAccountSettings("hi@furfriends.example", "hi@furfriends.example", "old-password-2023"), "Gmail"), onlyDirect: false, server: "wrong-password"),
            Business(CampaignBusiness, "Wagtails Pet Care", "hello@wagtails.example", $"own mailbox allowing {CampaignDailyLimit} a day: a campaign held to its 60 % while the invoice goes over SMTP",
                WithLimits(campaign.CreateAccountSettings("hello@wagtails.example", "hello@wagtails.example", "correct-password"), new SendLimits { MessagesPerDay = CampaignDailyLimit }), onlyDirect: false, server: "campaign"),
        };

        return new DemoWorld([("gmail", gmail), ("office365", office), ("wrong-password", wrongPassword), ("campaign", campaign), ("oauth-office365", oauth)], businesses, oauth);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (_, server) in Servers)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The emulators listen on 127.0.0.1, so the provider (and its send limits) is named rather than detected from the host.</summary>
    private static SmtpAccountSettings WithProvider(SmtpAccountSettings account, string provider) => new()
    {
        Host = account.Host,
        Port = account.Port,
        Security = account.Security,
        UserName = account.UserName,
        Password = account.Password,
        FromAddress = account.FromAddress,
        TrustedCertificateAuthorities = account.TrustedCertificateAuthorities,
        Provider = provider,
    };

    /// <summary>A mailbox with its own limits and no provider preset.</summary>
    private static SmtpAccountSettings WithLimits(SmtpAccountSettings account, SendLimits limits) => new()
    {
        Host = account.Host,
        Port = account.Port,
        Security = account.Security,
        UserName = account.UserName,
        Password = account.Password,
        FromAddress = account.FromAddress,
        TrustedCertificateAuthorities = account.TrustedCertificateAuthorities,
        Provider = "Custom",
        Limits = limits,
    };

    private static DemoBusiness Business(string id, string name, string replyTo, string situation, SmtpAccountSettings? smtp, bool onlyDirect, string? server) =>
        new(id, name, replyTo, situation, new BusinessEmailSettings
        {
            BusinessId = id,
            BusinessName = name,
            ReplyToAddress = replyTo,
            Smtp = smtp,
            OnlyUseSmtpForDirectEmails = onlyDirect,
        }, server);
}
