using MimeKit;
using NSubstitute;
using NSubstitute.ExceptionExtensions;
using PetSitter.Email.Tests.Support;

namespace PetSitter.Email.Tests.Sending;

/// <summary>
/// Who a client replies to when the email went over the owner's SMTP account, and which held emails a corrected
/// account releases: only those held because of the account.
/// </summary>
public sealed class EmailSenderIdentityAndHoldTests : IDisposable
{
    private readonly ISmtpTransport _smtp = Substitute.For<ISmtpTransport>();
    private readonly INativeMailer _native = Substitute.For<INativeMailer>();
    private SenderHarness? _harness;

    public EmailSenderIdentityAndHoldTests()
    {
        _smtp.SendAsync(default!, default!, default).ReturnsForAnyArgs(new DeliveryReceipt("smtp.paws.example:587", "250 OK"));
        _native.SendAsync(default!, default).ReturnsForAnyArgs(new DeliveryReceipt("/pickup/1.eml"));
    }

    public void Dispose() => _harness?.Dispose();

    private EmailSender Sender(BusinessEmailSettings business)
    {
        _harness = new SenderHarness(_smtp, _native, configure: null, business);
        return _harness.Sender;
    }

    private static BusinessEmailSettings ReplyingToTheAccountItself() => new()
    {
        BusinessId = "paws",
        BusinessName = "Paws & Claws",
        ReplyToAddress = "Hello@Paws.example",
        Smtp = TestData.Account(),
    };

    [Fact]
    public async Task No_reply_to_is_added_when_the_business_reply_address_is_the_accounts_own_address_in_another_case()
    {
        var sender = Sender(ReplyingToTheAccountItself());
        var original = TestData.Message();
        original.From.Clear();
        original.From.Add(MailboxAddress.Parse("someone-else@elsewhere.example"));

        await sender.SendAsync(new OutgoingEmail("paws", EmailCategory.Quote, original));

        await _smtp.Received(1).SendAsync(
            Arg.Any<SmtpAccountSettings>(),
            Arg.Is<MimeMessage>(m => m.From.Mailboxes.Single().Address == "hello@paws.example" && m.ReplyTo.Count == 0),
            Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task A_message_from_the_account_that_replies_to_the_account_itself_is_sent_as_it_is()
    {
        var sender = Sender(ReplyingToTheAccountItself());
        var original = TestData.Message();

        await sender.SendAsync(new OutgoingEmail("paws", EmailCategory.Quote, original));

        await _smtp.Received(1).SendAsync(Arg.Any<SmtpAccountSettings>(), Arg.Is<MimeMessage>(m => ReferenceEquals(m, original)), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task A_reply_to_the_caller_set_is_kept_when_the_sender_is_corrected()
    {
        var sender = Sender(TestData.Business(smtp: TestData.Account()));
        var original = TestData.Message();
        original.From.Clear();
        original.From.Add(MailboxAddress.Parse("someone-else@elsewhere.example"));
        original.ReplyTo.Add(MailboxAddress.Parse("bookings@paws.example"));

        await sender.SendAsync(new OutgoingEmail("paws", EmailCategory.Quote, original));

        await _smtp.Received(1).SendAsync(
            Arg.Any<SmtpAccountSettings>(),
            Arg.Is<MimeMessage>(m => m.From.Mailboxes.Single().Address == "hello@paws.example"
                && m.ReplyTo.Mailboxes.Single().Address == "bookings@paws.example"),
            Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Marketing_held_by_a_wrong_password_is_released_by_corrected_settings()
    {
        // Gmail's refusal of a wrong password (/work/shared/providers.md, https://support.google.com/mail/?p=BadCredentials).
        _smtp.SendAsync(default!, default!, default).ThrowsAsyncForAnyArgs(
            new SmtpTransportException(SmtpStage.Authenticate, 535, "5.7.8 Username and Password not accepted."));
        var sender = Sender(TestData.Business(smtp: TestData.Account()));

        var outcome = await sender.SendAsync(new OutgoingEmail("paws", EmailCategory.Marketing, TestData.Message()));

        outcome.Status.Should().Be(SendStatus.Deferred);
        var held = (IAccountHeldMail)_harness!.Deferred;
        (await held.HeldAccountsAsync(_harness.Time.GetUtcNow(), default)).Should().ContainSingle().Which.BusinessId.Should().Be("paws");
        (await held.ReleaseAsync("paws", "the corrected settings", _harness.Time.GetUtcNow(), default)).Should().Be(1);
    }

    [Fact]
    public async Task Marketing_held_by_a_busy_server_is_not_released_by_a_settings_change()
    {
        // Gmail's temporary refusal (/work/shared/providers.md, https://support.google.com/a/answer/3726730).
        _smtp.SendAsync(default!, default!, default).ThrowsAsyncForAnyArgs(
            new SmtpTransportException(SmtpStage.Data, 451, "4.3.0 Mail server temporarily rejected message."));
        var sender = Sender(TestData.Business(smtp: TestData.Account()));

        var outcome = await sender.SendAsync(new OutgoingEmail("paws", EmailCategory.Marketing, TestData.Message()));

        outcome.Status.Should().Be(SendStatus.Deferred);
        var held = (IAccountHeldMail)_harness!.Deferred;
        (await held.HeldAccountsAsync(_harness.Time.GetUtcNow(), default)).Should().BeEmpty("new settings do not make a busy server less busy");
        (await held.ReleaseAsync("paws", "the corrected settings", _harness.Time.GetUtcNow(), default)).Should().Be(0);
    }

    [Fact]
    public async Task Marketing_held_by_a_busy_server_keeps_its_unsubscribe_link_in_the_queue_and_when_it_goes_out_later()
    {
        // Gmail's temporary refusal (/work/shared/providers.md, https://support.google.com/a/answer/3726730), then the server takes it.
        var busy = true;
        _smtp.SendAsync(default!, default!, default).ReturnsForAnyArgs(_ => busy
            ? throw new SmtpTransportException(SmtpStage.Data, 451, "4.3.0 Mail server temporarily rejected message.")
            : new DeliveryReceipt("smtp.paws.example:587", "250 OK"));
        var sender = Sender(TestData.Business(smtp: TestData.Account()));
        var email = new OutgoingEmail("paws", EmailCategory.Marketing, TestData.Message("Spring offer"))
        {
            UnsubscribeUrl = new Uri("https://paws.example/unsubscribe/c-42"),
        };

        (await sender.SendAsync(email)).Status.Should().Be(SendStatus.Deferred);
        busy = false;
        _harness!.Time.Advance(TimeSpan.FromHours(1));
        var held = (await _harness.Deferred.TakeDueAsync(_harness.Time.GetUtcNow(), 10, default)).Should().ContainSingle().Subject;
        held.Email.UnsubscribeUrl.Should().Be(email.UnsubscribeUrl, "the deferred queue (an app's own, too) gets the email with the link the app set");
        var outcome = await sender.ResendAsync(held, default);

        outcome.Status.Should().Be(SendStatus.Sent);
        var sent = (MimeMessage)_smtp.ReceivedCalls().Last().GetArguments()[1]!;
        sent.Headers["List-Unsubscribe"].Should().Be("<https://paws.example/unsubscribe/c-42>", "Gmail and Yahoo require the one-click link of bulk mail whenever it is sent");
        sent.Headers["List-Unsubscribe-Post"].Should().Be("List-Unsubscribe=One-Click");
    }
}
