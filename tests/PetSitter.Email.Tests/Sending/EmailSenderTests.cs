using MimeKit;
using NSubstitute;
using NSubstitute.ExceptionExtensions;
using PetSitter.Email.Tests.Support;

namespace PetSitter.Email.Tests.Sending;

public sealed class EmailSenderTests : IDisposable
{
    private readonly ISmtpTransport _smtp = Substitute.For<ISmtpTransport>();
    private readonly INativeMailer _native = Substitute.For<INativeMailer>();

    public EmailSenderTests()
    {
        _smtp.SendAsync(default!, default!, default).ReturnsForAnyArgs(new DeliveryReceipt("smtp.paws.example:587", "250 OK"));
        _native.SendAsync(default!, default).ReturnsForAnyArgs(new DeliveryReceipt("/pickup/1.eml"));
    }

    private SenderHarness? _harness;

    public void Dispose() => _harness?.Dispose();

    private EmailSender Sender(params BusinessEmailSettings[] businesses)
    {
        _harness = new SenderHarness(_smtp, _native, configure: null, businesses);
        return _harness.Sender;
    }

    [Fact]
    public async Task Invoice_goes_native_when_only_direct_emails_is_on()
    {
        var sender = Sender(TestData.Business(smtp: TestData.Account(), onlyDirect: true));

        var outcome = await sender.SendAsync(new OutgoingEmail("paws", EmailCategory.Invoice, TestData.Message()));

        outcome.Status.Should().Be(SendStatus.Sent);
        outcome.Channel.Should().Be(EmailChannel.Native);
        outcome.IsFallback.Should().BeFalse();
        outcome.Location.Should().Be("/pickup/1.eml");
        await _smtp.DidNotReceiveWithAnyArgs().SendAsync(default!, default!, default);
    }

    [Fact]
    public async Task Marketing_goes_through_smtp_when_only_direct_emails_is_on()
    {
        var sender = Sender(TestData.Business(smtp: TestData.Account(), onlyDirect: true));

        var outcome = await sender.SendAsync(new OutgoingEmail("paws", EmailCategory.Marketing, TestData.Message()));

        outcome.Channel.Should().Be(EmailChannel.Smtp);
        outcome.Location.Should().Be("smtp.paws.example:587");
        await _native.DidNotReceiveWithAnyArgs().SendAsync(default!, default);
    }

    [Fact]
    public async Task Smtp_mail_is_sent_from_the_accounts_address_with_the_business_name()
    {
        var sender = Sender(TestData.Business(smtp: TestData.Account()));
        var original = TestData.Message();
        original.From.Clear();
        original.From.Add(MailboxAddress.Parse("someone-else@elsewhere.example"));

        await sender.SendAsync(new OutgoingEmail("paws", EmailCategory.Quote, original));

        await _smtp.Received(1).SendAsync(
            Arg.Any<SmtpAccountSettings>(),
            Arg.Is<MimeMessage>(m => m.From.Mailboxes.Single().Address == "hello@paws.example"
                && m.From.Mailboxes.Single().Name == "Paws & Claws"
                && m.ReplyTo.Mailboxes.Single().Address == "office@paws.example"
                && m.MessageId == original.MessageId),
            Arg.Any<CancellationToken>());
        original.From.Mailboxes.Single().Address.Should().Be("someone-else@elsewhere.example", "the caller's message is never changed");
    }

    [Fact]
    public async Task A_message_that_already_has_the_accounts_identity_is_handed_to_smtp_without_a_copy()
    {
        var sender = Sender(TestData.Business(smtp: TestData.Account()));
        var original = TestData.Message();
        original.ReplyTo.Add(new MailboxAddress("Paws & Claws", "office@paws.example"));

        await sender.SendAsync(new OutgoingEmail("paws", EmailCategory.Quote, original));

        await _smtp.Received(1).SendAsync(Arg.Any<SmtpAccountSettings>(), Arg.Is<MimeMessage>(m => ReferenceEquals(m, original)), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task A_message_without_a_reply_to_is_copied_and_given_the_business_reply_address()
    {
        var sender = Sender(TestData.Business(smtp: TestData.Account()));
        var original = TestData.Message();

        await sender.SendAsync(new OutgoingEmail("paws", EmailCategory.Quote, original));

        await _smtp.Received(1).SendAsync(
            Arg.Any<SmtpAccountSettings>(),
            Arg.Is<MimeMessage>(m => !ReferenceEquals(m, original) && m.ReplyTo.Mailboxes.Single().Address == "office@paws.example"),
            Arg.Any<CancellationToken>());
        original.ReplyTo.Count.Should().Be(0, "the caller's message is never changed");
    }

    [Fact]
    public async Task A_sender_header_is_removed_on_a_copy_even_when_from_is_already_right()
    {
        var sender = Sender(TestData.Business(smtp: TestData.Account()));
        var original = TestData.Message();
        original.ReplyTo.Add(new MailboxAddress("Paws & Claws", "office@paws.example"));
        original.Sender = new MailboxAddress("Assistant", "assistant@paws.example");

        await sender.SendAsync(new OutgoingEmail("paws", EmailCategory.Quote, original));

        await _smtp.Received(1).SendAsync(Arg.Any<SmtpAccountSettings>(), Arg.Is<MimeMessage>(m => m.Sender == null), Arg.Any<CancellationToken>());
        original.Sender.Should().NotBeNull("the caller's message is never changed");
    }

    [Fact]
    public async Task Invoice_falls_back_to_native_with_the_same_message_id_when_the_password_is_wrong()
    {
        _smtp.SendAsync(default!, default!, default).ThrowsAsyncForAnyArgs(
            new SmtpTransportException(SmtpStage.Authenticate, 535, "5.7.8 Username and Password not accepted."));
        var sender = Sender(TestData.Business(smtp: TestData.Account()));
        var message = TestData.Message();

        var outcome = await sender.SendAsync(new OutgoingEmail("paws", EmailCategory.Invoice, message));

        outcome.Status.Should().Be(SendStatus.Sent);
        outcome.Channel.Should().Be(EmailChannel.Native);
        outcome.PlannedChannel.Should().Be(EmailChannel.Smtp);
        outcome.IsFallback.Should().BeTrue();
        outcome.FailureKind.Should().Be(SmtpFailureKind.AuthenticationFailed);
        outcome.Reason.Should().Contain("password");
        outcome.MessageId.Should().Be(message.MessageId);
        await _native.Received(1).SendAsync(Arg.Is<MimeMessage>(m => m.MessageId == message.MessageId), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Concurrent_sends_try_a_wrong_password_once()
    {
        var signIn = new TaskCompletionSource<DeliveryReceipt>(TaskCreationOptions.RunContinuationsAsynchronously);
        _smtp.SendAsync(default!, default!, default).ReturnsForAnyArgs(signIn.Task);
        var sender = Sender(TestData.Business(smtp: TestData.Account()));

        var sends = Enumerable.Range(0, 20).Select(_ => sender.SendAsync(new OutgoingEmail("paws", EmailCategory.Invoice, TestData.Message()))).ToList();
        await _smtp.ReceivedWithAnyArgs(1).SendAsync(default!, default!, default);
        signIn.SetException(new SmtpTransportException(SmtpStage.Authenticate, 535, "5.7.8 Username and Password not accepted."));
        var outcomes = await Task.WhenAll(sends);

        await _smtp.ReceivedWithAnyArgs(1).SendAsync(default!, default!, default);
        outcomes.Should().OnlyContain(o => o.Channel == EmailChannel.Native && o.FailureKind == SmtpFailureKind.AuthenticationFailed);
    }

    [Fact]
    public async Task A_rejected_recipient_fails_without_fallback()
    {
        _smtp.SendAsync(default!, default!, default).ThrowsAsyncForAnyArgs(
            new SmtpTransportException(SmtpStage.RcptTo, 550, "5.1.1 The email account that you tried to reach does not exist."));
        var sender = Sender(TestData.Business(smtp: TestData.Account()));

        var outcome = await sender.SendAsync(new OutgoingEmail("paws", EmailCategory.Invoice, TestData.Message()));

        outcome.Status.Should().Be(SendStatus.Failed);
        outcome.FailureKind.Should().Be(SmtpFailureKind.RecipientRejected);
        await _native.DidNotReceiveWithAnyArgs().SendAsync(default!, default);
    }

    [Fact]
    public async Task A_transport_refusing_its_arguments_throws_to_the_caller_with_its_own_exception()
    {
        // Nothing was sent and it is the caller's bug: no outcome hides it, no other channel tries.
        _smtp.SendAsync(default!, default!, default).ThrowsAsyncForAnyArgs(new ArgumentException("The message has no body.", "message"));
        var sender = Sender(TestData.Business(smtp: TestData.Account()));

        var act = () => sender.SendAsync(new OutgoingEmail("paws", EmailCategory.Invoice, TestData.Message()));

        (await act.Should().ThrowAsync<ArgumentException>()).Which.StackTrace.Should().Contain("SendAsync", "thrown with the transport's own stack");
        await _smtp.ReceivedWithAnyArgs(1).SendAsync(default!, default!, default);
        await _native.DidNotReceiveWithAnyArgs().SendAsync(default!, default);
    }

    [Theory]
    [InlineData("a drop after the end of DATA")]
    [InlineData("a transport failing outside its contract, without a stage")]
    public async Task A_failure_after_which_the_server_may_have_the_message_is_delivery_uncertain_and_not_resent(string failure)
    {
        Exception thrown = failure.StartsWith("a drop", StringComparison.Ordinal)
            ? new SmtpTransportException(SmtpStage.AfterData, null, "The SMTP server has unexpectedly disconnected.")
            : new InvalidOperationException("socket state");
        _smtp.SendAsync(default!, default!, default).ThrowsAsyncForAnyArgs(thrown);
        var sender = Sender(TestData.Business(smtp: TestData.Account()));

        var outcome = await sender.SendAsync(new OutgoingEmail("paws", EmailCategory.Invoice, TestData.Message()));

        outcome.Status.Should().Be(SendStatus.DeliveryUncertain);
        await _smtp.ReceivedWithAnyArgs(1).SendAsync(default!, default!, default);
        await _native.DidNotReceiveWithAnyArgs().SendAsync(default!, default);
    }

    [Fact]
    public async Task Invalid_smtp_settings_are_a_misconfiguration_and_the_invoice_still_goes_native()
    {
        var broken = new SmtpAccountSettings { Host = "smtp.paws.example", Port = 70000, FromAddress = "hello@paws.example" };
        var sender = Sender(TestData.Business(smtp: broken));

        var outcome = await sender.SendAsync(new OutgoingEmail("paws", EmailCategory.Invoice, TestData.Message()));

        outcome.Channel.Should().Be(EmailChannel.Native);
        outcome.FailureKind.Should().Be(SmtpFailureKind.Misconfigured);
        outcome.SmtpFailure!.Reply.Should().Contain("Smtp.Port");
        await _smtp.DidNotReceiveWithAnyArgs().SendAsync(default!, default!, default);
    }

    [Fact]
    public async Task A_native_mailer_failure_is_a_failed_outcome_not_an_exception()
    {
        _native.SendAsync(default!, default).ThrowsAsyncForAnyArgs(new IOException("disk full"));
        var sender = Sender(TestData.Business());

        var outcome = await sender.SendAsync(new OutgoingEmail("paws", EmailCategory.General, TestData.Message()));

        outcome.Status.Should().Be(SendStatus.Failed);
        outcome.Channel.Should().Be(EmailChannel.Native);
        outcome.Reason.Should().Contain("disk full");
    }

    [Fact]
    public async Task An_unknown_business_is_a_clear_error()
    {
        var sender = Sender(TestData.Business());

        var act = () => sender.SendAsync(new OutgoingEmail("nobody", EmailCategory.General, TestData.Message()));

        (await act.Should().ThrowAsync<EmailSettingsException>()).Which.Message.Should().Contain("'nobody' is unknown");
    }

    [Fact]
    public async Task A_message_without_recipients_is_a_clear_error()
    {
        var sender = Sender(TestData.Business());
        var message = TestData.Message();
        message.To.Clear();

        var act = () => sender.SendAsync(new OutgoingEmail("paws", EmailCategory.General, message));

        await act.Should().ThrowAsync<ArgumentException>().WithMessage("*no recipients*");
    }

    [Fact]
    public async Task Invalid_business_settings_name_the_field()
    {
        var sender = Sender(new BusinessEmailSettings { BusinessId = "paws", BusinessName = "Paws", ReplyToAddress = "nope" });

        var act = () => sender.SendAsync(new OutgoingEmail("paws", EmailCategory.General, TestData.Message()));

        (await act.Should().ThrowAsync<EmailSettingsException>()).Which.Errors.Should().ContainSingle().Which.Should().StartWith("ReplyToAddress");
    }

    [Fact]
    public async Task A_message_without_a_message_id_gets_one_that_the_outcome_reports()
    {
        var sender = Sender(TestData.Business());
        var message = TestData.Message();
        message.Headers.Remove(HeaderId.MessageId);

        var outcome = await sender.SendAsync(new OutgoingEmail("paws", EmailCategory.General, message));

        outcome.MessageId.Should().NotBeNullOrEmpty();
        await _native.Received(1).SendAsync(Arg.Is<MimeMessage>(m => m.MessageId == outcome.MessageId), Arg.Any<CancellationToken>());
        message.MessageId.Should().BeNull("the caller's message is never changed");
    }

    [Fact]
    public async Task A_cancelled_send_throws_and_reports_nothing()
    {
        var sender = Sender(TestData.Business());
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        var act = () => sender.SendAsync(new OutgoingEmail("paws", EmailCategory.General, TestData.Message()), cts.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
        await _native.DidNotReceiveWithAnyArgs().SendAsync(default!, default);
    }

    [Fact]
    public void Outgoing_email_refuses_null_and_undefined_input()
    {
        FluentActions.Invoking(() => new OutgoingEmail(null!, EmailCategory.General, TestData.Message())).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => new OutgoingEmail("", EmailCategory.General, TestData.Message())).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => new OutgoingEmail("paws", default, TestData.Message())).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("category");
        FluentActions.Invoking(() => new OutgoingEmail("paws", EmailCategory.General, null!)).Should().Throw<ArgumentNullException>();
    }
}
