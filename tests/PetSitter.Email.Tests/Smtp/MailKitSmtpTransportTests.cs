using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using PetSitter.Email.Testing;
using PetSitter.Email.Tests.Secrets;
using PetSitter.Email.Tests.Support;

namespace PetSitter.Email.Tests.Smtp;

/// <summary>The MailKit transport against a real SMTP server on loopback.</summary>
public sealed class MailKitSmtpTransportTests : IAsyncDisposable
{
    private const string Subject = "Rechnung für Bello 🐶";
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(20);

    private readonly CancellationTokenSource _testTimeout = new(TestTimeout);
    private readonly List<IAsyncDisposable> _disposables = [];

    private CancellationToken Token => _testTimeout.Token;

    [Fact]
    public async Task A_message_arrives_with_its_headers_body_utf8_subject_and_attachment()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTls, UserName = "owner@paws.example", Password = "app-password" });
        var transport = Transport();
        var pdf = PdfLikeBytes();
        var message = Invoice(pdf);

        var receipt = await transport.SendAsync(server.CreateAccountSettings("owner@paws.example"), message, Token);

        receipt.Location.Should().Be($"{server.Host}:{server.Port}");
        receipt.ServerReply.Should().NotBeNullOrWhiteSpace();
        var received = (await server.WaitForMessagesAsync(1, Token)).Single();
        received.Sender.Should().Be("owner@paws.example");
        received.Recipients.Should().Equal("client@example.com", "partner@example.com");
        received.WasSecure.Should().BeTrue();

        var arrived = received.Message;
        arrived.Subject.Should().Be(Subject);
        arrived.MessageId.Should().Be(message.MessageId);
        arrived.Headers["X-PetSitter-Invoice"].Should().Be("INV-2026-0042");
        arrived.From.Mailboxes.Single().Name.Should().Be("Paws & Claws");
        arrived.To.Mailboxes.Select(m => m.Address).Should().Equal("client@example.com");
        arrived.Cc.Mailboxes.Select(m => m.Address).Should().Equal("partner@example.com");
        arrived.TextBody.Should().Be(message.TextBody);
        arrived.HtmlBody.Should().Be(message.HtmlBody);
        var attachment = arrived.Attachments.OfType<MimePart>().Single();
        attachment.FileName.Should().Be("Rechnung-Bello.pdf");
        attachment.ContentType.MimeType.Should().Be("application/pdf");
        using var content = new MemoryStream();
        await attachment.Content!.DecodeToAsync(content, Token);
        content.ToArray().Should().Equal(pdf);
    }

    [Fact]
    public async Task The_callers_message_is_not_changed_by_sending()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.None });
        var transport = Transport();
        var message = Invoice(PdfLikeBytes());

        // A line longer than SMTP allows makes MailKit re-encode the part it sends.
        ((Multipart)message.Body!).Insert(0, new TextPart("plain") { Text = new string('x', 1500) + "\nEnde für Bello 🐾" });
        var before = MessageBytes.Of(message);

        await transport.SendAsync(server.CreateAccountSettings(), message, Token);

        (await server.WaitForMessagesAsync(1, Token)).Should().ContainSingle();
        MessageBytes.Of(message).Should().Equal(before);
    }

    [Fact]
    public async Task A_plain_seven_bit_message_is_sent_without_changing_the_callers_headers_or_body()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.None });
        var transport = Transport();
        var message = Simple("Visit on Monday");
        ((TextPart)message.Body!).Text = "A line longer than 78 characters but well within SMTP's limit of 998: " + new string('.', 150);
        var before = MessageBytes.Of(message);

        await transport.SendAsync(server.CreateAccountSettings(), message, Token);

        var arrived = (await server.WaitForMessagesAsync(1, Token)).Single().Message;
        arrived.MimeVersion.Should().NotBeNull("MailKit prepared the copy it sent");
        arrived.TextBody!.TrimEnd().Should().Be(message.TextBody);
        MessageBytes.Of(message).Should().Equal(before, "the caller's message is never changed");
    }

    [Fact]
    public async Task A_message_with_MIME_Version_is_sent_as_it_is_and_stays_byte_for_byte_the_same()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.None });
        var transport = Transport();
        var message = Simple("Visit on Tuesday");
        message.MimeVersion = new Version(1, 0);
        message.Bcc.Add(MailboxAddress.Parse("archive@paws.example"));
        var before = MessageBytes.Of(message);

        await transport.SendAsync(server.CreateAccountSettings(), message, Token);
        await transport.SendAsync(server.CreateAccountSettings(), message, Token);

        var arrived = await server.WaitForMessagesAsync(2, Token);
        arrived.Should().HaveCount(2);
        foreach (var received in arrived)
        {
            received.Message.TextBody!.TrimEnd().Should().Be(message.TextBody);
            received.Message.Bcc.Count.Should().Be(0, "MailKit leaves Bcc out of what it writes");
            received.Recipients.Should().Equal("client@example.com", "archive@paws.example");
        }

        MessageBytes.Of(message).Should().Equal(before, "preparing a message that has MIME-Version and a 7-bit body changes nothing");
    }

    [Fact]
    public async Task A_recipient_named_in_To_Cc_and_Bcc_is_in_the_envelope_once()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.None });
        var transport = Transport();
        var message = Simple("Visit on Wednesday");
        message.Cc.Add(MailboxAddress.Parse("CLIENT@example.com"));
        message.Bcc.Add(new GroupAddress("Family", [MailboxAddress.Parse("partner@example.com"), MailboxAddress.Parse("client@example.com")]));

        await transport.SendAsync(server.CreateAccountSettings(), message, Token);

        (await server.WaitForMessagesAsync(1, Token)).Single().Recipients.Should().Equal("client@example.com", "partner@example.com");
    }

    [Fact]
    public async Task An_eight_bit_part_is_re_encoded_on_a_full_copy_and_the_callers_part_keeps_its_encoding()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.None });
        var transport = Transport();
        var message = Simple("Rechnung");
        message.Body = new TextPart("plain") { Text = "Danke für Ihr Vertrauen, Bello lässt grüßen." };
        var before = MessageBytes.Of(message);

        await transport.SendAsync(server.CreateAccountSettings(), message, Token);

        var arrived = (await server.WaitForMessagesAsync(1, Token)).Single().Message;
        arrived.TextBody!.TrimEnd().Should().Be("Danke für Ihr Vertrauen, Bello lässt grüßen.");
        ((TextPart)message.Body).ContentTransferEncoding.Should().Be(ContentEncoding.Default);
        MessageBytes.Of(message).Should().Equal(before);
    }

    [Fact]
    public async Task Hundred_sequential_sends_to_one_account_use_one_connection()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTls, UserName = "owner", Password = TestSecrets.TransportPassword });
        var transport = Transport();
        var account = server.CreateAccountSettings("owner@paws.example");

        for (var i = 0; i < 100; i++)
        {
            await transport.SendAsync(account, Simple($"Visit {i}"), Token);
        }

        server.ConnectionsOpened.Should().Be(1);
        server.AuthenticationsSucceeded.Should().Be(1);
        server.Messages.Should().HaveCount(100);
    }

    [Fact]
    public async Task Thirty_concurrent_sends_never_open_more_connections_than_the_cap_and_all_arrive()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTls });
        var transport = Transport();
        var account = server.CreateAccountSettings("owner@paws.example");

        await Task.WhenAll(Enumerable.Range(0, 30).Select(i => Task.Run(() => transport.SendAsync(account, Simple($"Walk {i}"), Token))));

        server.PeakOpenConnections.Should().BeLessThanOrEqualTo(3);
        server.ConnectionsOpened.Should().BeLessThanOrEqualTo(3);
        server.Messages.Select(m => m.Message.Subject).Should().BeEquivalentTo(Enumerable.Range(0, 30).Select(i => $"Walk {i}"));
    }

    [Fact]
    public async Task An_accounts_own_cap_overrides_the_default()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.None });
        var transport = Transport();
        var account = WithChanges(server.CreateAccountSettings(), maxConnections: 1);

        await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Task.Run(() => transport.SendAsync(account, Simple($"Feed {i}"), Token))));

        server.PeakOpenConnections.Should().Be(1);
        server.Messages.Should().HaveCount(10);
    }

    [Theory]
    [InlineData(ScriptedServerSecurity.StartTls)]
    [InlineData(ScriptedServerSecurity.StartTlsRequired)]
    [InlineData(ScriptedServerSecurity.ImplicitTls)]
    public async Task Tls_works_with_the_test_authority_trusted_for_the_account(ScriptedServerSecurity security)
    {
        var server = await StartAsync(new() { Security = security, UserName = "owner", Password = TestSecrets.TransportPassword });
        var transport = Transport();

        await transport.SendAsync(server.CreateAccountSettings("owner@paws.example"), Simple("Secure"), Token);

        var received = (await server.WaitForMessagesAsync(1, Token)).Single();
        received.WasSecure.Should().BeTrue();
        received.UserName.Should().Be("owner");
    }

    [Theory]
    [InlineData(ScriptedServerSecurity.StartTls)]
    [InlineData(ScriptedServerSecurity.ImplicitTls)]
    public async Task An_untrusted_certificate_fails_at_Tls_and_nothing_is_sent(ScriptedServerSecurity security)
    {
        var server = await StartAsync(new() { Security = security, UserName = "owner", Password = TestSecrets.TransportPassword });
        var transport = Transport();
        var account = WithChanges(server.CreateAccountSettings("owner@paws.example"), authorities: []);

        var failure = await FluentActions.Awaiting(() => transport.SendAsync(account, Simple("Nope"), Token))
            .Should().ThrowAsync<SmtpTransportException>();

        failure.Which.Stage.Should().Be(SmtpStage.Tls);
        failure.Which.StatusCode.Should().BeNull();
        failure.Which.Reply.Should().Contain("not trusted").And.Contain("untrusted root").And.Contain(server.CertificateAuthority.Certificate.Subject);
        SmtpFailureClassifier.Classify(failure.Which, account.Host).Advice.Should().Contain("certificate");
        server.Messages.Should().BeEmpty();
        server.AuthenticationsSucceeded.Should().Be(0);
        server.AuthenticationsFailed.Should().Be(0);
    }

    [Fact]
    public async Task A_certificate_from_another_authority_than_the_accounts_fails_at_Tls()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTls });
        using var other = TestCertificateAuthority.Create("Another Test CA");
        var transport = Transport();
        var account = WithChanges(server.CreateAccountSettings(), authorities: [other.Certificate]);

        var failure = await FluentActions.Awaiting(() => transport.SendAsync(account, Simple("Nope"), Token))
            .Should().ThrowAsync<SmtpTransportException>();

        failure.Which.Stage.Should().Be(SmtpStage.Tls);
        failure.Which.Reply.Should().Contain("TrustedCertificateAuthorities");
        server.Messages.Should().BeEmpty();
    }

    [Fact]
    public async Task Signing_in_over_a_plain_connection_is_refused_before_any_AUTH_unless_allowed()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.None, UserName = "owner", Password = TestSecrets.TransportPassword });
        var transport = Transport();
        var refused = WithChanges(server.CreateAccountSettings("owner@paws.example"), allowPlain: false);

        var failure = await FluentActions.Awaiting(() => transport.SendAsync(refused, Simple("Plain"), Token))
            .Should().ThrowAsync<SmtpTransportException>();

        failure.Which.Stage.Should().Be(SmtpStage.Authenticate);
        failure.Which.Reply.Should().Contain("refusing to send the password over an unencrypted connection").And.Contain("AllowAuthenticationWithoutTls");
        var classified = SmtpFailureClassifier.Classify(failure.Which, refused.Host);
        classified.IsTransient.Should().BeFalse("it fails the same way until the settings change");
        classified.Advice.Should().Contain("STARTTLS");
        server.AuthenticationsSucceeded.Should().Be(0);
        server.AuthenticationsFailed.Should().Be(0);
        server.Messages.Should().BeEmpty();

        await transport.SendAsync(WithChanges(refused, allowPlain: true), Simple("Plain, allowed"), Token);
        server.AuthenticationsSucceeded.Should().Be(1);
        server.Messages.Should().ContainSingle();
    }

    [Fact]
    public async Task Starttls_required_by_the_account_but_not_offered_fails_at_Ehlo_without_signing_in()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.None, UserName = "owner", Password = TestSecrets.TransportPassword });
        var transport = Transport();
        var account = WithChanges(server.CreateAccountSettings("owner@paws.example"), security: SmtpSecurity.StartTls);

        var failure = await FluentActions.Awaiting(() => transport.SendAsync(account, Simple("x"), Token))
            .Should().ThrowAsync<SmtpTransportException>();

        failure.Which.Stage.Should().Be(SmtpStage.Ehlo);
        failure.Which.Reply.Should().Contain("STARTTLS");
        server.AuthenticationsFailed.Should().Be(0);
        server.AuthenticationsSucceeded.Should().Be(0);
    }

    [Fact]
    public async Task A_wrong_password_surfaces_as_535_with_5_7_8_at_Authenticate()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTls });
        server.Script = context => context.Stage == SmtpStage.Authenticate ? ProviderReplies.Gmail.BadCredentials : null;
        var transport = Transport();

        var failure = await FluentActions.Awaiting(() => transport.SendAsync(server.CreateAccountSettings("owner@gmail.test", "owner@gmail.test", "old-password"), Simple("x"), Token))
            .Should().ThrowAsync<SmtpTransportException>();

        failure.Which.Stage.Should().Be(SmtpStage.Authenticate);
        failure.Which.StatusCode.Should().Be(535);
        failure.Which.EnhancedStatusCode.Should().Be("5.7.8");
        failure.Which.Reply.Should().Contain("Username and Password not accepted");
        failure.Which.Message.Should().NotContain("old-password");
        server.Messages.Should().BeEmpty();
        server.AuthenticationsFailed.Should().Be(1, "MailKit would try PLAIN and then LOGIN; a second failed sign-in brings a mailbox closer to lockout");
    }

    [Fact]
    public async Task Gmail_app_password_required_keeps_its_534_and_reads_as_a_changed_requirement()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTls });
        server.Script = context => context.Stage == SmtpStage.Authenticate ? ProviderReplies.Gmail.ApplicationSpecificPasswordRequired : null;
        var transport = Transport();

        var failure = await FluentActions.Awaiting(() => transport.SendAsync(server.CreateAccountSettings("owner@gmail.test", "owner@gmail.test", "normal-google-password"), Simple("x"), Token))
            .Should().ThrowAsync<SmtpTransportException>();

        failure.Which.Stage.Should().Be(SmtpStage.Authenticate);
        failure.Which.StatusCode.Should().Be(534);
        SmtpFailureClassifier.Classify(failure.Which, "smtp.gmail.com").Kind.Should().Be(SmtpFailureKind.ProviderRequirementsChanged);
    }

    [Fact]
    public async Task A_refused_recipient_fails_at_RcptTo_and_the_connection_is_kept()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.None });
        server.Script = context => context.Stage == SmtpStage.RcptTo && context.Address == "nobody@example.com"
            ? new SmtpReply(550, "5.1.1 The email account that you tried to reach does not exist.")
            : null;
        var transport = Transport();
        var account = server.CreateAccountSettings();
        var toNobody = Simple("x");
        toNobody.To.Clear();
        toNobody.To.Add(MailboxAddress.Parse("nobody@example.com"));

        var failure = await FluentActions.Awaiting(() => transport.SendAsync(account, toNobody, Token))
            .Should().ThrowAsync<SmtpTransportException>();
        await transport.SendAsync(account, Simple("y"), Token);

        failure.Which.Stage.Should().Be(SmtpStage.RcptTo);
        failure.Which.StatusCode.Should().Be(550);
        failure.Which.EnhancedStatusCode.Should().Be("5.1.1");
        server.ConnectionsOpened.Should().Be(1);
        server.Messages.Should().ContainSingle();
    }

    [Fact]
    public async Task A_connection_dropped_after_the_end_of_DATA_is_AfterData_and_is_never_resent()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.None });
        var transport = Transport();
        var account = server.CreateAccountSettings();
        await transport.SendAsync(account, Simple("first"), Token);
        server.Script = context => context.Stage == SmtpStage.AfterData ? SmtpReply.Disconnect : null;

        var failure = await FluentActions.Awaiting(() => transport.SendAsync(account, Simple("second"), Token))
            .Should().ThrowAsync<SmtpTransportException>();

        failure.Which.Stage.Should().Be(SmtpStage.AfterData);
        failure.Which.StatusCode.Should().BeNull();
        failure.Which.Reply.Should().Contain("uncertain");
        server.Messages.Select(m => m.Message.Subject).Should().Equal("first", "second");
        server.ConnectionsOpened.Should().Be(1, "nothing was resent on a new connection");
    }

    [Fact]
    public async Task A_message_refused_after_DATA_fails_at_Data_with_the_servers_reply()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.None });
        server.Script = context => context.Stage == SmtpStage.AfterData ? ProviderReplies.Microsoft365.SubmissionQuotaExceeded : null;
        var transport = Transport();

        var failure = await FluentActions.Awaiting(() => transport.SendAsync(server.CreateAccountSettings(), Simple("x"), Token))
            .Should().ThrowAsync<SmtpTransportException>();

        failure.Which.Stage.Should().Be(SmtpStage.Data);
        failure.Which.StatusCode.Should().Be(554);
        failure.Which.Reply.Should().Contain("SubmissionQuotaExceededException");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_pooled_connection_the_server_closed_is_replaced_transparently(bool with421)
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTls, UserName = "owner", Password = TestSecrets.TransportPassword });
        var transport = Transport();
        var account = server.CreateAccountSettings("owner@paws.example");
        await transport.SendAsync(account, Simple("first"), Token);

        // The server has timed the first connection out: it drops it (or says 421, as Postfix does) at the next command.
        server.Script = context => context.Stage == SmtpStage.MailFrom && context.ConnectionId == 1
            ? (with421 ? new SmtpReply(421, "4.4.2 mx.example Error: timeout exceeded") : SmtpReply.Disconnect)
            : null;
        var receipt = await transport.SendAsync(account, Simple("second"), Token);

        receipt.Should().NotBeNull();
        server.ConnectionsOpened.Should().Be(2);
        server.Messages.Select(m => m.Message.Subject).Should().Equal("first", "second");
    }

    [Fact]
    public async Task A_new_connection_that_fails_is_not_retried()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.None });
        server.Script = context => context.Stage == SmtpStage.MailFrom ? SmtpReply.Disconnect : null;
        var transport = Transport();

        var failure = await FluentActions.Awaiting(() => transport.SendAsync(server.CreateAccountSettings(), Simple("x"), Token))
            .Should().ThrowAsync<SmtpTransportException>();

        failure.Which.Stage.Should().Be(SmtpStage.MailFrom);
        server.ConnectionsOpened.Should().Be(1);
    }

    [Fact]
    public async Task A_connection_idle_past_the_idle_timeout_is_closed_and_a_new_one_opened()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.None });
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var transport = Transport(time, options => options.ConnectionIdleTimeout = TimeSpan.FromSeconds(60));
        var account = server.CreateAccountSettings();

        await transport.SendAsync(account, Simple("one"), Token);
        time.Advance(TimeSpan.FromSeconds(59));
        await transport.SendAsync(account, Simple("two"), Token);
        server.ConnectionsOpened.Should().Be(1, "59 s idle is within the timeout");

        time.Advance(TimeSpan.FromSeconds(61));
        await transport.SendAsync(account, Simple("three"), Token);

        server.ConnectionsOpened.Should().Be(2);
        server.Messages.Should().HaveCount(3);
    }

    [Fact]
    public async Task A_changed_password_opens_a_new_pool_and_closes_the_old_connections()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTls });
        var transport = Transport();
        var before = server.CreateAccountSettings("owner@paws.example", "owner@paws.example", "old-password");
        var after = server.CreateAccountSettings("owner@paws.example", "owner@paws.example", "new-password");

        await transport.SendAsync(before, Simple("one"), Token);
        var oldPool = transport.PoolOf(before);
        await transport.SendAsync(after, Simple("two"), Token);
        await transport.SendAsync(after, Simple("three"), Token);

        server.ConnectionsOpened.Should().Be(2);
        server.AuthenticationsSucceeded.Should().Be(2);
        oldPool!.IsRetired.Should().BeTrue();
        oldPool.OpenCount.Should().Be(0);
        transport.PoolOf(after).Should().NotBeSameAs(oldPool);
    }

    [Fact]
    public async Task A_cancelled_token_stops_the_send_before_anything_is_opened()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.None });
        var transport = Transport();

        await FluentActions.Awaiting(() => transport.SendAsync(server.CreateAccountSettings(), Simple("x"), new CancellationToken(canceled: true)))
            .Should().ThrowAsync<OperationCanceledException>();

        server.ConnectionsOpened.Should().Be(0);
    }

    [Fact]
    public async Task A_refusal_after_many_messages_on_one_connection_is_still_pinned_to_RcptTo_and_the_next_sends_go_out()
    {
        // The connection reuses its cancellation source and its per-command stage records from send to send.
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.None });
        server.Script = context => context.Stage == SmtpStage.RcptTo && context.Address == "nobody@example.com"
            ? new SmtpReply(550, "5.1.1 The email account that you tried to reach does not exist.")
            : null;
        var transport = Transport();
        var account = server.CreateAccountSettings();
        for (var i = 0; i < 12; i++)
        {
            await transport.SendAsync(account, Simple($"before {i}"), Token);
        }

        var toNobody = Simple("x");
        toNobody.To.Clear();
        toNobody.To.Add(MailboxAddress.Parse("nobody@example.com"));
        var failure = await FluentActions.Awaiting(() => transport.SendAsync(account, toNobody, Token))
            .Should().ThrowAsync<SmtpTransportException>();
        for (var i = 0; i < 3; i++)
        {
            await transport.SendAsync(account, Simple($"after {i}"), Token);
        }

        failure.Which.Stage.Should().Be(SmtpStage.RcptTo);
        failure.Which.StatusCode.Should().Be(550);
        server.ConnectionsOpened.Should().Be(1);
        server.Messages.Should().HaveCount(15);
    }

    [Fact]
    public async Task A_token_cancelled_after_its_send_finished_does_not_touch_the_next_send_on_the_connection()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.None });
        var transport = Transport();
        var account = server.CreateAccountSettings();
        using var first = CancellationTokenSource.CreateLinkedTokenSource(Token);
        await transport.SendAsync(account, Simple("first"), first.Token);
        await first.CancelAsync();

        await transport.SendAsync(account, Simple("second"), Token);
        await transport.SendAsync(account, Simple("third"), CancellationToken.None);

        server.ConnectionsOpened.Should().Be(1);
        server.Messages.Select(m => m.Message.Subject).Should().Equal("first", "second", "third");
    }

    [Fact]
    public async Task Cancelling_during_the_conversation_throws_and_discards_the_connection()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.None });
        var transport = Transport();
        var account = server.CreateAccountSettings();
        await transport.SendAsync(account, Simple("first"), Token);

        using var held = HoldAtRecipient(server, context => context.Stage == SmtpStage.RcptTo && context.ConnectionId == 1);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var sending = transport.SendAsync(account, Simple("cancelled"), cancel.Token);
        await held.Arrived.WaitAsync(Token);
        await cancel.CancelAsync();

        await FluentActions.Awaiting(() => sending).Should().ThrowAsync<OperationCanceledException>();
        held.Release();
        server.Script = null;
        await transport.SendAsync(account, Simple("after"), Token);

        server.ConnectionsOpened.Should().Be(2, "the cancelled connection was not reused");
        server.Messages.Select(m => m.Message.Subject).Should().Equal("first", "after");
    }

    [Fact]
    public async Task Cancelling_while_waiting_for_a_free_connection_throws_without_opening_one()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.None });
        var transport = Transport();
        var account = WithChanges(server.CreateAccountSettings(), maxConnections: 1);
        using var held = HoldAtRecipient(server, context => context.Stage == SmtpStage.RcptTo && context.MessagesReceived == 0);

        var busy = transport.SendAsync(account, Simple("busy"), Token);
        await held.Arrived.WaitAsync(Token);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var waiting = transport.SendAsync(account, Simple("waiting"), cancel.Token);
        await cancel.CancelAsync();

        await FluentActions.Awaiting(() => waiting).Should().ThrowAsync<OperationCanceledException>();
        held.Release();
        await busy;
        server.ConnectionsOpened.Should().Be(1);
        server.Messages.Select(m => m.Message.Subject).Should().Equal("busy");
    }

    [Fact]
    public async Task Waiting_longer_than_the_wait_timeout_for_a_free_connection_fails_clearly()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.None });
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var transport = Transport(time, options => options.ConnectionWaitTimeout = TimeSpan.FromSeconds(30));
        var account = WithChanges(server.CreateAccountSettings(), maxConnections: 1);
        using var held = HoldAtRecipient(server, context => context.Stage == SmtpStage.RcptTo && context.MessagesReceived == 0);

        var busy = transport.SendAsync(account, Simple("busy"), Token);
        await held.Arrived.WaitAsync(Token);
        var waiting = transport.SendAsync(account, Simple("waiting"), Token);
        time.Advance(TimeSpan.FromSeconds(31));

        var failure = await FluentActions.Awaiting(() => waiting).Should().ThrowAsync<SmtpTransportException>();
        held.Release();
        await busy;
        failure.Which.Stage.Should().Be(SmtpStage.Connect);
        failure.Which.Reply.Should().Contain("became free within 30 s");
        var classified = SmtpFailureClassifier.Classify(failure.Which, account.Host);
        classified.IsTransient.Should().BeTrue("a busy pool clears by itself");
        classified.IsAccountLevel.Should().BeFalse("the account's settings are not at fault");
    }

    [Fact]
    public async Task A_closed_port_fails_at_Connect()
    {
        var port = FreePort();
        var transport = Transport();
        var account = new SmtpAccountSettings { Host = "127.0.0.1", Port = port, Security = SmtpSecurity.None, FromAddress = "owner@paws.example" };

        var failure = await FluentActions.Awaiting(() => transport.SendAsync(account, Simple("x"), Token))
            .Should().ThrowAsync<SmtpTransportException>();

        failure.Which.Stage.Should().Be(SmtpStage.Connect);
        failure.Which.Reply.Should().Contain($"127.0.0.1:{port}");
    }

    [Fact]
    public async Task A_port_that_never_answered_reads_as_a_wrong_port()
    {
        var port = FreePort();
        var account = new SmtpAccountSettings { Host = "127.0.0.1", Port = port, Security = SmtpSecurity.None, FromAddress = "owner@paws.example" };

        var failure = await FluentActions.Awaiting(() => Transport().SendAsync(account, Simple("x"), Token))
            .Should().ThrowAsync<SmtpTransportException>();

        var classified = SmtpFailureClassifier.Classify(failure.Which, account.Host);
        classified.Kind.Should().Be(SmtpFailureKind.Misconfigured);
        classified.Advice.Should().Contain("port");
    }

    [Fact]
    public async Task A_server_that_refuses_after_accepting_earlier_reads_as_restarting_not_as_a_wrong_port()
    {
        var first = await StartAsync(new() { Security = ScriptedServerSecurity.None });
        var port = first.Port;
        var transport = Transport();
        var account = first.CreateAccountSettings();
        await transport.SendAsync(account, Simple("before"), Token);
        await first.DisposeAsync();

        // Held bound but not listening: a connect is refused as by a host with nothing on the port, and no other
        // test's server, started in parallel, can be given the freed port and answer in its place.
        using var reserved = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ExclusiveAddressUse = false };
        reserved.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        reserved.Bind(new IPEndPoint(IPAddress.Loopback, port));

        var failure = await FluentActions.Awaiting(() => transport.SendAsync(account, Simple("while down"), Token))
            .Should().ThrowAsync<SmtpTransportException>();

        failure.Which.Stage.Should().Be(SmtpStage.Connect);
        failure.Which.Reply.Should().Contain($"127.0.0.1:{port}").And.Contain("restarting");
        var classified = SmtpFailureClassifier.Classify(failure.Which, account.Host);
        classified.Kind.Should().Be(SmtpFailureKind.Transient);
        classified.IsAccountLevel.Should().BeFalse("nothing the owner set is wrong");
        classified.Advice.Should().Contain("restarting").And.NotContain("check the port");
    }

    [Fact]
    public async Task Disposing_the_transport_closes_its_pooled_connections()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTls });
        var transport = Transport();
        var account = server.CreateAccountSettings();
        await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Task.Run(() => transport.SendAsync(account, Simple($"m{i}"), Token))));
        var pool = transport.PoolOf(account)!;
        pool.OpenCount.Should().BeGreaterThan(0);

        await transport.DisposeAsync();

        pool.OpenCount.Should().Be(0);
        await FluentActions.Awaiting(() => transport.SendAsync(account, Simple("late"), Token)).Should().ThrowAsync<ObjectDisposedException>();
    }

    [Fact]
    public async Task Logs_name_the_server_but_never_addresses_user_names_or_passwords()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTls });
        var logger = new FakeLogger<MailKitSmtpTransport>();
        var transport = Transport(logger: logger);
        var account = server.CreateAccountSettings("owner@paws.example", "owner-login@paws.example", "s3cret-Pa55");
        await transport.SendAsync(account, Simple("fine"), Token);
        server.Script = context => context.Stage == SmtpStage.RcptTo ? new SmtpReply(550, "5.1.1 <client@example.com> unknown") : null;
        await FluentActions.Awaiting(() => transport.SendAsync(account, Simple("refused"), Token)).Should().ThrowAsync<SmtpTransportException>();
        await transport.DisposeAsync();

        var records = logger.Collector.GetSnapshot();
        var everything = string.Join("\n", records.Select(r => $"{r.Message} {r.Exception}"));

        records.Should().Contain(r => r.Message.Contains($"{server.Host}:{server.Port}", StringComparison.Ordinal));
        records.Select(r => r.Id.Id).Should().Contain([2001, 2003, 2006]);
        everything.Should().NotContain("owner-login").And.NotContain("s3cret").And.NotContain("client@example.com").And.NotContain("owner@paws.example");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var disposable in Enumerable.Reverse(_disposables))
        {
            await disposable.DisposeAsync();
        }

        _testTimeout.Dispose();
    }

    private async Task<ScriptedSmtpServer> StartAsync(ScriptedSmtpServerOptions options)
    {
        var server = await ScriptedSmtpServer.StartAsync(options, Token);
        _disposables.Add(server);
        return server;
    }

    private MailKitSmtpTransport Transport(TimeProvider? time = null, Action<SmtpTransportOptions>? configure = null, ILogger<MailKitSmtpTransport>? logger = null)
    {
        var options = new SmtpTransportOptions { Timeout = TimeSpan.FromSeconds(10) };
        configure?.Invoke(options);
        var transport = new MailKitSmtpTransport(Options.Create(options), time ?? TimeProvider.System, logger ?? TestLogging.For<MailKitSmtpTransport>());
        _disposables.Add(transport);
        return transport;
    }

    internal static SmtpAccountSettings WithChanges(
        SmtpAccountSettings account,
        bool? allowPlain = null,
        IReadOnlyList<System.Security.Cryptography.X509Certificates.X509Certificate2>? authorities = null,
        int? maxConnections = null,
        SmtpSecurity? security = null) => new()
        {
            Host = account.Host,
            Port = account.Port,
            Security = security ?? account.Security,
            UserName = account.UserName,
            Password = account.Password,
            FromAddress = account.FromAddress,
            AllowAuthenticationWithoutTls = allowPlain ?? account.AllowAuthenticationWithoutTls,
            TrustedCertificateAuthorities = authorities ?? account.TrustedCertificateAuthorities,
            MaxConnections = maxConnections ?? account.MaxConnections,
        };

    internal static MimeMessage Simple(string subject)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Paws & Claws", "owner@paws.example"));
        message.To.Add(new MailboxAddress("A client", "client@example.com"));
        message.Subject = subject;
        message.Body = new TextPart("plain") { Text = $"{subject}: see you tomorrow at 9." };
        return message;
    }

    private static MimeMessage Invoice(byte[] pdf)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Paws & Claws", "owner@paws.example"));
        message.To.Add(new MailboxAddress("Jürgen Müller", "client@example.com"));
        message.Cc.Add(new MailboxAddress("Partner", "partner@example.com"));
        message.Subject = Subject;
        message.MessageId = "invoice-42@paws.example";
        message.Headers.Add("X-PetSitter-Invoice", "INV-2026-0042");
        var body = new BodyBuilder
        {
            TextBody = "Hallo Jürgen,\n\nanbei die Rechnung für Bellos Spaziergänge 🐶.\n\nViele Grüße\nPaws & Claws\n",
            HtmlBody = "<p>Hallo Jürgen,</p><p>anbei die Rechnung für Bellos Spaziergänge 🐶.</p>",
        };
        body.Attachments.Add("Rechnung-Bello.pdf", pdf, new ContentType("application", "pdf"));
        message.Body = body.ToMessageBody();
        return message;
    }

    private static byte[] PdfLikeBytes()
    {
        var header = Encoding.ASCII.GetBytes("%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n");
        var binary = new byte[6000];
        new Random(42).NextBytes(binary);
        return [.. header, .. binary, .. Encoding.ASCII.GetBytes("\n%%EOF\n")];
    }


    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>Makes the server stop at RCPT TO for the sends <paramref name="when"/> picks, until the test releases them.</summary>
    private static RecipientHold HoldAtRecipient(ScriptedSmtpServer server, Func<SmtpScriptContext, bool> when)
    {
        var hold = new RecipientHold();
        server.Script = context =>
        {
            if (when(context))
            {
                hold.Arrived.Release();
                hold.Released.Wait(TestTimeout);
            }

            return null;
        };
        return hold;
    }

    private sealed class RecipientHold : IDisposable
    {
        public SemaphoreSlim Arrived { get; } = new(0);

        public ManualResetEventSlim Released { get; } = new();

        public void Release() => Released.Set();

        public void Dispose()
        {
            Arrived.Dispose();
            Released.Dispose();
        }
    }
}
