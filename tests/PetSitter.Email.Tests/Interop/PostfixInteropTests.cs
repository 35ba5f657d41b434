using PetSitter.Email.Tests.EndToEnd;
using Xunit.Abstractions;
using static PetSitter.Email.Tests.Interop.PostfixHosts;

namespace PetSitter.Email.Tests.Interop;

/// <summary>
/// The library against a real Postfix 3.x with Dovecot SASL on loopback (see <see cref="PostfixServer"/>):
/// delivery is counted in the Maildir, sign-in attempts and commands in Postfix's own log. The replies in
/// the assertions are Postfix's own words, as it sent them in these tests (listed in docs/interop.md).
/// </summary>
[Collection(PostfixTests.Name)]
public sealed class PostfixInteropTests(PostfixFixture fixture, ITestOutputHelper output)
{
    private PostfixServer Postfix => fixture.Server;

    [Fact]
    public async Task A_correct_password_over_STARTTLS_delivers_each_message_exactly_once()
    {
        const string box = "client-starttls";
        SendOutcome[] outcomes;
        await using (var host = Host(Account(Postfix, "submission")))
        {
            outcomes = [await SendAsync(host, EmailCategory.Invoice, 1, box), await SendAsync(host, EmailCategory.Marketing, 2, box), await SendAsync(host, EmailCategory.General, 3, box)];
            host.Native.SendAttempts.Should().Be(0);
        }

        outcomes.Should().OnlyContain(o => o.Status == SendStatus.Sent && o.Channel == EmailChannel.Smtp && !o.IsFallback);
        await Postfix.WaitUntilAsync(() => Postfix.Delivered(box).Count >= 3 && Postfix.QueueIsEmpty, "three messages delivered");
        Postfix.DeliveredMessageIds(box).Should().BeEquivalentTo([EndToEndHost.MessageId(1), EndToEndHost.MessageId(2), EndToEndHost.MessageId(3)], "each message arrives once");

        var log = await Postfix.SessionsEndedAsync("submission", 1);
        PostfixServer.CommandsSent(log, "auth").Should().Be(1, "one connection signs in once and carries all three");
        PostfixServer.CommandsSent(log, "starttls").Should().Be(1);
        PostfixServer.CommandsSent(log, "data").Should().Be(3);
    }

    [Fact]
    public async Task A_correct_password_over_implicit_TLS_delivers_the_message_exactly_once()
    {
        const string box = "client-smtps";
        SendOutcome outcome;
        await using (var host = Host(Account(Postfix, "smtps")))
        {
            outcome = await SendAsync(host, EmailCategory.Quote, 10, box);
        }

        outcome.Status.Should().Be(SendStatus.Sent, outcome.ToString());
        outcome.Channel.Should().Be(EmailChannel.Smtp);
        await Postfix.WaitUntilAsync(() => Postfix.Delivered(box).Count >= 1 && Postfix.QueueIsEmpty, "the message delivered");
        Postfix.DeliveredMessageIds(box).Should().Equal(EndToEndHost.MessageId(10));
        var log = await Postfix.SessionsEndedAsync("smtps", 1);
        PostfixServer.CommandsSent(log, "starttls").Should().Be(0, "TLS started with the connection");
        PostfixServer.CommandsSent(log, "auth").Should().Be(1);
    }

    [Fact]
    public async Task A_burst_against_a_wrong_password_with_the_Gmail_preset_costs_Postfix_one_AUTH_and_every_outcome_names_the_password()
    {
        // The default a real host gets (a provider preset, here Gmail's 2/s among its windows), against a server we did not write.
        const string box = "client-wrongburst";
        var account = Account(Postfix, "wrongburst", password: PostfixFixture.WrongPassword);
        var categories = Enum.GetValues<EmailCategory>();
        SendOutcome[] outcomes;
        await using (var host = Host(EndToEndHost.With(account, provider: ProviderPresets.Gmail.Name)))
        {
            outcomes = await Task.WhenAll(Enumerable.Range(0, 30).Select(n => SendAsync(host, categories[n % categories.Length], 300 + n, box)));
        }

        outcomes.Should().OnlyContain(o => o.FailureKind == SmtpFailureKind.AuthenticationFailed, "the owner is told the password is wrong, not that a limit was reached");
        outcomes.Where(o => o.Category != EmailCategory.Marketing).Should().OnlyContain(o => o.Status == SendStatus.Sent && o.Channel == EmailChannel.Native && o.IsFallback);
        outcomes.Where(o => o.Category == EmailCategory.Marketing).Should().OnlyContain(o => o.Status == SendStatus.Deferred);
        var log = await Postfix.SessionsEndedAsync("wrongburst", 1);
        log.Count(line => line.Contains(" connect from ", StringComparison.Ordinal)).Should().Be(1, "the sends behind the first wait for its verdict instead of connecting");
        PostfixServer.CommandsSent(log, "auth").Should().Be(1, "thirty sends, one wrong password, one sign-in");
        Postfix.Delivered(box).Should().BeEmpty();
    }

    [Fact]
    public async Task A_wrong_password_is_AuthenticationFailed_after_exactly_one_AUTH_and_mail_goes_by_the_fallback_policy()
    {
        const string box = "client-wrongpw";
        SendOutcome[] outcomes;
        await using (var host = Host(Account(Postfix, "wrongpw", password: PostfixFixture.WrongPassword)))
        {
            outcomes = [await SendAsync(host, EmailCategory.Invoice, 20, box), await SendAsync(host, EmailCategory.General, 21, box), await SendAsync(host, EmailCategory.Marketing, 22, box)];
            host.Health.GetHealth(Business).Kind.Should().Be(SmtpFailureKind.AuthenticationFailed);
            host.Native.Messages.Select(m => m.MessageId).Should().Equal(EndToEndHost.MessageId(20), EndToEndHost.MessageId(21));
        }

        Record(outcomes[0]);
        outcomes.Should().OnlyContain(o => o.FailureKind == SmtpFailureKind.AuthenticationFailed);
        outcomes[0].SmtpFailure!.Stage.Should().Be(SmtpStage.Authenticate);
        outcomes[0].SmtpFailure!.StatusCode.Should().Be(535);
        outcomes[0].SmtpFailure!.Reply.Should().Contain("5.7.8 Error: authentication failed");
        outcomes[..2].Should().OnlyContain(o => o.Status == SendStatus.Sent && o.Channel == EmailChannel.Native && o.IsFallback);
        outcomes[2].Status.Should().Be(SendStatus.Deferred);

        var log = await Postfix.SessionsEndedAsync("wrongpw", 1);
        PostfixServer.CommandsSent(log, "auth").Should().Be(1, "one wrong password costs one sign-in: mailboxes lock after a few");
        Postfix.Delivered(box).Should().BeEmpty();
    }

    [Fact]
    public async Task A_From_address_the_login_does_not_own_is_Misconfigured_and_nothing_is_delivered()
    {
        const string box = "client-mismatch";
        SendOutcome outcome;
        await using (var host = Host(Account(Postfix, "mismatch", from: PostfixServer.OtherUser)))
        {
            outcome = await SendAsync(host, EmailCategory.Invoice, 30, box);
            host.Health.GetHealth(Business).Kind.Should().Be(SmtpFailureKind.Misconfigured);
        }

        Record(outcome);
        outcome.FailureKind.Should().Be(SmtpFailureKind.Misconfigured, outcome.ToString());
        outcome.SmtpFailure!.IsAccountLevel.Should().BeTrue("every message from this address would be refused");
        outcome.SmtpFailure.StatusCode.Should().Be(553);
        outcome.SmtpFailure.Reply.Should().Contain("Sender address rejected: not owned by user " + PostfixServer.Owner);
        outcome.SmtpFailure.Advice.Should().ContainEquivalentOf("From address");
        outcome.IsFallback.Should().BeTrue("an invoice always gets through");

        var log = await Postfix.SessionsEndedAsync("mismatch", 1);
        PostfixServer.CommandsSent(log, "data").Should().Be(0);
        Postfix.Delivered(box).Should().BeEmpty();
    }

    [Fact]
    public async Task A_message_over_the_size_limit_is_MessageRejected_without_retry_fallback_or_blame()
    {
        const string box = "client-toolarge";
        SendOutcome outcome;
        await using (var host = Host(Account(Postfix, "toolarge")))
        {
            outcome = await host.SendAsync(Large(40, box, PostfixServer.MessageSizeLimit * 2));
            host.Native.SendAttempts.Should().Be(0, "the platform's mailer would refuse the same message");
            host.Health.GetHealth(Business).IsHealthy.Should().BeTrue("the account did nothing wrong");

            // The account still sends: the next, normal message goes out.
            (await SendAsync(host, EmailCategory.General, 41, box)).Status.Should().Be(SendStatus.Sent);
        }

        Record(outcome);
        outcome.Status.Should().Be(SendStatus.Failed, outcome.ToString());
        outcome.FailureKind.Should().Be(SmtpFailureKind.MessageRejected);
        outcome.SmtpFailure!.IsAccountLevel.Should().BeFalse();
        outcome.IsFallback.Should().BeFalse();

        await Postfix.WaitUntilAsync(() => Postfix.Delivered(box).Count >= 1 && Postfix.QueueIsEmpty, "the normal message delivered");
        Postfix.DeliveredMessageIds(box).Should().Equal(EndToEndHost.MessageId(41));
        var log = await Postfix.SessionsEndedAsync("toolarge", 1);
        PostfixServer.CommandsSent(log, "mail").Should().BeLessThanOrEqualTo(2, "the large message is offered at most once (MailKit may refuse it against SIZE before MAIL FROM)");
    }

    [Fact]
    public async Task An_unknown_recipient_is_RecipientRejected_for_that_message_only()
    {
        SendOutcome outcome;
        await using (var host = Host(Account(Postfix, "unknown")))
        {
            outcome = await SendAsync(host, EmailCategory.General, 50, "nobody");
            host.Native.SendAttempts.Should().Be(0, "the address would fail on the platform's mailer too");
            host.Health.GetHealth(Business).IsHealthy.Should().BeTrue();
            (await SendAsync(host, EmailCategory.General, 51, "client-unknown")).Status.Should().Be(SendStatus.Sent);
        }

        Record(outcome);
        outcome.Status.Should().Be(SendStatus.Failed, outcome.ToString());
        outcome.FailureKind.Should().Be(SmtpFailureKind.RecipientRejected);
        outcome.SmtpFailure!.Stage.Should().Be(SmtpStage.RcptTo);
        outcome.SmtpFailure.StatusCode.Should().Be(550);
        outcome.SmtpFailure.Reply.Should().Contain("5.1.1").And.Contain("User unknown in virtual mailbox table");

        await Postfix.WaitUntilAsync(() => Postfix.Delivered("client-unknown").Count >= 1 && Postfix.QueueIsEmpty, "the second message delivered");
        Postfix.DeliveredMessageIds("client-unknown").Should().Equal(EndToEndHost.MessageId(51));
        var log = await Postfix.SessionsEndedAsync("unknown", 1);
        PostfixServer.CommandsSent(log, "rcpt").Should().Be(2, "the refused recipient is not offered again");
    }

    private void Record(SendOutcome outcome) =>
        output.WriteLine($"postfix reply: stage={outcome.SmtpFailure?.Stage} code={outcome.SmtpFailure?.StatusCode} text={outcome.SmtpFailure?.Reply} kind={outcome.FailureKind} rule={outcome.SmtpFailure}");
}
