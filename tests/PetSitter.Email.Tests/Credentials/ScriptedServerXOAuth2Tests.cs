using System.Text;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using PetSitter.Email.Testing;
using PetSitter.Email.Tests.Secrets;

namespace PetSitter.Email.Tests.Credentials;

/// <summary>The scripted server's XOAUTH2, seen from a bare MailKit client: what the transport builds on.</summary>
public sealed class ScriptedServerXOAuth2Tests
{
    private const string User = "owner@gmail.test";
    private const string Token = "ya29.only-this-one";

    [Fact]
    public async Task Xoauth2_is_offered_only_when_the_server_has_an_access_token()
    {
        await using var withToken = await ScriptedSmtpServer.StartAsync(new() { UserName = User, AccessToken = Token });
        await using var withoutToken = await ScriptedSmtpServer.StartAsync(new() { UserName = User, Password = TestSecrets.TransportPassword });

        (await MechanismsOf(withToken)).Should().Contain("XOAUTH2").And.Contain("PLAIN");
        (await MechanismsOf(withoutToken)).Should().NotContain("XOAUTH2");
    }

    [Fact]
    public async Task Gmail_refuses_a_token_with_a_json_challenge_then_535_and_MailKit_throws_without_an_inner_exception()
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new() { UserName = User, AccessToken = Token, AccessTokenRejectedReply = ProviderReplies.Gmail.AccessTokenRejected });
        using var log = new MemoryStream();
        using var client = new SmtpClient(new ProtocolLogger(log, leaveOpen: true));
        await client.ConnectAsync(server.Host, server.Port, SecureSocketOptions.None);

        var refused = await FluentActions.Awaiting(() => client.AuthenticateAsync(new SaslMechanismOAuth2(User, "ya29.expired")))
            .Should().ThrowAsync<AuthenticationException>();

        refused.Which.InnerException.Should().BeNull();
        var transcript = Encoding.ASCII.GetString(log.ToArray());
        var challenge = ProviderReplies.Gmail.AccessTokenRejected.Challenge!;
        transcript.Should().Contain($"S: 334 {challenge}").And.Contain("S: 535-5.7.8 Username and Password not accepted.");
        Encoding.UTF8.GetString(Convert.FromBase64String(challenge)).Should().Be("""{"status":"401","schemes":"Bearer","scope":"https://mail.google.com/"}""");
        client.IsConnected.Should().BeTrue("a refused token leaves the session open for another try");

        await client.AuthenticateAsync(new SaslMechanismOAuth2(User, Token));
        client.IsAuthenticated.Should().BeTrue();
        server.AccessTokensReceived.Should().Equal("ya29.expired", Token);
        server.AuthenticationsFailed.Should().Be(1);
        server.AuthenticationsSucceeded.Should().Be(1);
    }

    [Fact]
    public async Task Microsoft_365_refuses_a_token_with_535_5_7_3_at_once()
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new() { UserName = User, AccessToken = Token, AccessTokenRejectedReply = ProviderReplies.Microsoft365.AccessTokenRejected });
        using var client = new SmtpClient();
        await client.ConnectAsync(server.Host, server.Port, SecureSocketOptions.None);

        var refused = await FluentActions.Awaiting(() => client.AuthenticateAsync(new SaslMechanismOAuth2(User, "eyJ0eXAi.expired")))
            .Should().ThrowAsync<AuthenticationException>();

        refused.Which.Message.Should().Contain("5.7.3 Authentication unsuccessful");
        server.AuthenticationsFailed.Should().Be(1);
    }

    [Fact]
    public async Task The_script_sees_an_XOAUTH2_sign_in_and_its_user_but_not_the_token()
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new() { UserName = User, AccessToken = Token });
        var seen = new List<SmtpScriptContext>();
        server.Script = context =>
        {
            if (context.Stage == SmtpStage.Authenticate)
            {
                seen.Add(context);
            }

            return null;
        };
        using var client = new SmtpClient();
        await client.ConnectAsync(server.Host, server.Port, SecureSocketOptions.None);

        await client.AuthenticateAsync(new SaslMechanismOAuth2(User, Token));
        using var passwordClient = new SmtpClient();
        await passwordClient.ConnectAsync(server.Host, server.Port, SecureSocketOptions.None);
        await FluentActions.Awaiting(() => passwordClient.AuthenticateAsync(new SaslMechanismPlain(User, "wrong"))).Should().ThrowAsync<AuthenticationException>();

        seen.Select(c => (c.UsesAccessToken, c.UserName)).Should().Equal((true, User), (false, User));
        seen[0].ToString().Should().NotContain(Token);
    }

    [Fact]
    public async Task A_user_name_with_only_an_access_token_is_valid_server_configuration_but_a_password_without_a_user_is_not()
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new() { UserName = User, AccessToken = Token });
        server.Options.ToString().Should().NotContain(Token);

        await FluentActions.Awaiting(() => ScriptedSmtpServer.StartAsync(new() { Password = TestSecrets.TransportPassword })).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => ScriptedSmtpServer.StartAsync(new() { UserName = User })).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => ScriptedSmtpServer.StartAsync(new() { AccessToken = "has space" })).Should().ThrowAsync<ArgumentException>();
    }

    private static async Task<HashSet<string>> MechanismsOf(ScriptedSmtpServer server)
    {
        using var client = new SmtpClient();
        await client.ConnectAsync(server.Host, server.Port, SecureSocketOptions.None);
        return [.. client.AuthenticationMechanisms];
    }
}
