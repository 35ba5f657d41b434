using PetSitter.Email.Testing;
using PetSitter.Email.Tests.EndToEnd;

namespace PetSitter.Email.Tests.Input;

/// <summary>A scripted server on loopback and the library composed in front of it, for hostile-input tests.</summary>
internal sealed class InputServer : IAsyncDisposable
{
    private InputServer(ScriptedSmtpServer server, EndToEndHost host)
    {
        Server = server;
        Host = host;
    }

    public ScriptedSmtpServer Server { get; }

    public EndToEndHost Host { get; }

    public SmtpAccountSettings Account => Host.Settings.Get("paws").Smtp!;

    /// <summary>Starts a server (no sign-in) and a host with business "paws" on it.</summary>
    /// <param name="extensions">When set, the EHLO reply is replaced by one offering exactly these extensions.</param>
    /// <param name="account">Changes the account the business uses (limits, provider preset).</param>
    public static async Task<InputServer> StartAsync(string[]? extensions = null, Func<SmtpAccountSettings, SmtpAccountSettings>? account = null)
    {
        var server = await ScriptedSmtpServer.StartAsync();
        if (extensions is not null)
        {
            var ehlo = new SmtpReply(250, ["smtp.scripted.test greets you", .. extensions]);
            server.Script = context => context.Stage == SmtpStage.Ehlo ? ehlo : null;
        }

        var host = new EndToEndHost();
        var settings = server.CreateAccountSettings("hello@paws.example");
        host.Settings.Set(EndToEndHost.Business("paws", account is null ? settings : account(settings)));
        return new InputServer(server, host);
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await Server.DisposeAsync();
    }
}
