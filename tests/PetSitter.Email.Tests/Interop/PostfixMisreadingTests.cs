using PetSitter.Email.Tests.EndToEnd;
using Xunit.Abstractions;
using static PetSitter.Email.Tests.Interop.PostfixHosts;

namespace PetSitter.Email.Tests.Interop;

/// <summary>
/// Postfix's anvil limits, each on a listener of its own (issue 12). A server's rate limit on the client is
/// the account's <see cref="SmtpFailureKind.SendLimitReached"/> with a back-off (DESIGN.md, "How to read a
/// reply"): never a wrong password, never one message's fault, never retried at once; and every message
/// still ends in exactly one outcome, the delivered ones exactly once in the Maildir.
/// </summary>
/// <remarks>
/// These pin the misreadings found against Postfix 3.7: "too many AUTH commands" read as a wrong password,
/// "too many recipients from" as a message with too many recipients, "too much mail from" as a glitch retried
/// three times. They pass once the classification rules read them by stage and side.
/// </remarks>
[Collection(PostfixTests.Name)]
public sealed class PostfixMisreadingTests(PostfixFixture fixture, ITestOutputHelper output)
{
    private PostfixServer Postfix => fixture.Server;

    [Fact]
    public async Task Too_much_mail_from_the_client_is_the_accounts_send_limit_refused_once_and_nothing_is_lost()
    {
        // smtpd_client_message_rate_limit = 3 on this listener.
        const string box = "client-msgrate";
        var outcomes = new List<SendOutcome>();
        AccountHealth health;
        await using (var host = Host(Account(Postfix, "msgrate")))
        {
            for (var n = 60; n < 66; n++)
            {
                outcomes.Add(await SendAsync(host, EmailCategory.Marketing, n, box));
            }

            health = host.Health.GetHealth(Business);
        }

        var refused = outcomes[3];
        Record(refused);
        health.IsHealthy.Should().BeFalse("the provider's limit holds the account");
        outcomes.Take(3).Should().OnlyContain(o => o.Status == SendStatus.Sent && o.Channel == EmailChannel.Smtp);
        refused.SmtpFailure!.Reply.Should().Contain("4.7.1 Error: too much mail from 127.0.0.1");
        refused.FailureKind.Should().Be(SmtpFailureKind.SendLimitReached, refused.ToString());
        refused.SmtpFailure.IsAccountLevel.Should().BeTrue("the server counts the client, not this message");
        outcomes.Skip(3).Should().OnlyContain(o => o.Status == SendStatus.Deferred && o.DeferredUntil != null, "marketing waits for the limit to pass");

        await Postfix.WaitUntilAsync(() => Postfix.Delivered(box).Count >= 3 && Postfix.QueueIsEmpty, "three messages delivered");
        Postfix.DeliveredMessageIds(box).Should().BeEquivalentTo([EndToEndHost.MessageId(60), EndToEndHost.MessageId(61), EndToEndHost.MessageId(62)]);
        var log = await Postfix.SessionsEndedAsync("msgrate", 1);
        log.Count(line => line.Contains("Message delivery request rate limit exceeded", StringComparison.Ordinal))
            .Should().Be(1, "a limit is not tried again at once: one refusal, then the account waits");
    }

    [Fact]
    public async Task Too_many_recipients_from_the_client_is_the_accounts_send_limit_not_a_refused_message()
    {
        // smtpd_client_recipient_rate_limit = 3 on this listener; each message has one recipient.
        const string box = "client-rcptrate";
        var outcomes = new List<SendOutcome>();
        await using (var host = Host(Account(Postfix, "rcptrate")))
        {
            for (var n = 70; n < 75; n++)
            {
                outcomes.Add(await SendAsync(host, EmailCategory.Marketing, n, box));
            }
        }

        var refused = outcomes[3];
        Record(refused);
        outcomes.Take(3).Should().OnlyContain(o => o.Status == SendStatus.Sent);
        refused.SmtpFailure!.Reply.Should().Contain("4.7.1 Error: too many recipients from 127.0.0.1");
        refused.FailureKind.Should().Be(SmtpFailureKind.SendLimitReached, refused.ToString());
        refused.SmtpFailure.IsAccountLevel.Should().BeTrue("one recipient is not too many: the server counts the client");
        outcomes.Skip(3).Should().OnlyContain(o => o.Status == SendStatus.Deferred, "marketing with one recipient is deferred, never failed");

        await Postfix.WaitUntilAsync(() => Postfix.Delivered(box).Count >= 3 && Postfix.QueueIsEmpty, "three messages delivered");
        Postfix.DeliveredMessageIds(box).Should().BeEquivalentTo([EndToEndHost.MessageId(70), EndToEndHost.MessageId(71), EndToEndHost.MessageId(72)]);
        var log = await Postfix.SessionsEndedAsync("rcptrate", 1);
        log.Count(line => line.Contains("Recipient address rate limit exceeded", StringComparison.Ordinal)).Should().Be(1);
    }

    [Fact]
    public async Task Too_many_AUTH_commands_is_a_send_limit_never_a_wrong_password()
    {
        // smtpd_client_auth_rate_limit = 2 on this listener. Three app instances (each its own pool) sign in
        // with the correct password: the third is refused before Dovecot sees it.
        const string box = "client-authrate";
        var account = Account(Postfix, "authrate");
        var outcomes = new List<SendOutcome>();
        SmtpFailureKind? recorded = null;
        for (var instance = 0; instance < 3; instance++)
        {
            await using var host = Host(account);
            outcomes.Add(await SendAsync(host, EmailCategory.General, 80 + (2 * instance), box));
            if (instance == 2)
            {
                // The same instance does not sign in again at once.
                outcomes.Add(await SendAsync(host, EmailCategory.Marketing, 85, box));
                recorded = host.Health.GetHealth(Business).Kind;
            }
        }

        var refused = outcomes[2];
        Record(refused);
        recorded.Should().NotBe(SmtpFailureKind.AuthenticationFailed, "the password is right");
        outcomes.Take(2).Should().OnlyContain(o => o.Status == SendStatus.Sent && o.Channel == EmailChannel.Smtp);
        refused.SmtpFailure!.Stage.Should().Be(SmtpStage.Authenticate);
        refused.SmtpFailure.StatusCode.Should().Be(450);
        refused.SmtpFailure.Reply.Should().Contain("too many AUTH commands from 127.0.0.1", "the reply is not mistaken for a secret");
        refused.FailureKind.Should().Be(SmtpFailureKind.SendLimitReached, refused.ToString());
        refused.SmtpFailure.IsAccountLevel.Should().BeTrue();
        refused.IsFallback.Should().BeTrue("general mail goes native while the account waits");
        outcomes[3].Status.Should().Be(SendStatus.Deferred);

        await Postfix.WaitUntilAsync(() => Postfix.Delivered(box).Count >= 2 && Postfix.QueueIsEmpty, "two messages delivered");
        Postfix.DeliveredMessageIds(box).Should().BeEquivalentTo([EndToEndHost.MessageId(80), EndToEndHost.MessageId(82)]);
        var log = await Postfix.SessionsEndedAsync("authrate", 3);
        log.Count(line => line.Contains("AUTH command rate limit exceeded", StringComparison.Ordinal))
            .Should().Be(1, "the refused instance backs off instead of signing in again");
    }

    [Fact]
    public async Task Too_many_connections_from_the_client_is_the_accounts_send_limit_with_a_back_off()
    {
        // smtpd_client_connection_rate_limit = 2 on this listener: three app instances connect.
        const string box = "client-connrate";
        var account = Account(Postfix, "connrate");
        var outcomes = new List<SendOutcome>();
        for (var instance = 0; instance < 3; instance++)
        {
            await using var host = Host(account);
            outcomes.Add(await SendAsync(host, EmailCategory.Marketing, 90 + instance, box));
            if (instance == 2)
            {
                outcomes.Add(await SendAsync(host, EmailCategory.Marketing, 93, box));
            }
        }

        var refused = outcomes[2];
        Record(refused);
        outcomes.Take(2).Should().OnlyContain(o => o.Status == SendStatus.Sent);
        refused.SmtpFailure!.StatusCode.Should().Be(421);
        refused.SmtpFailure.Reply.Should().Contain("Error: too many connections from 127.0.0.1");
        refused.FailureKind.Should().Be(SmtpFailureKind.SendLimitReached, refused.ToString());
        refused.SmtpFailure.IsAccountLevel.Should().BeTrue();
        outcomes.Skip(2).Should().OnlyContain(o => o.Status == SendStatus.Deferred);

        await Postfix.WaitUntilAsync(() => Postfix.Delivered(box).Count >= 2 && Postfix.QueueIsEmpty, "two messages delivered");
        Postfix.DeliveredMessageIds(box).Should().BeEquivalentTo([EndToEndHost.MessageId(90), EndToEndHost.MessageId(91)]);
        var log = await Postfix.SessionsEndedAsync("connrate", 2);
        log.Count(line => line.Contains("Connection rate limit exceeded", StringComparison.Ordinal)).Should().Be(1, "the refused instance does not reconnect at once");
    }

    private void Record(SendOutcome outcome) =>
        output.WriteLine($"postfix reply: stage={outcome.SmtpFailure?.Stage} code={outcome.SmtpFailure?.StatusCode} text={outcome.SmtpFailure?.Reply} kind={outcome.FailureKind} failure={outcome.SmtpFailure}");
}
