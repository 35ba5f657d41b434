using NSubstitute;
using PetSitter.Email.Tests.Secrets;
using PetSitter.Email.Tests.Support;

namespace PetSitter.Email.Tests.Sending;

/// <summary>
/// A marketing email refused by a limit: by marketing's share of the account's hour or day (held back for direct mail,
/// not the owner's news), or by a window the share does not lower (the account's own limit).
/// </summary>
public sealed class SmtpChannelMarketingShareTests : IDisposable
{
    private readonly ISmtpTransport _smtp = Substitute.For<ISmtpTransport>();
    private SenderHarness? _harness;

    public SmtpChannelMarketingShareTests() =>
        _smtp.SendAsync(default!, default!, default).ReturnsForAnyArgs(new DeliveryReceipt("smtp.paws.example:587", "250 OK"));

    public void Dispose() => _harness?.Dispose();

    [Fact]
    public async Task Marketing_past_its_share_of_the_hour_is_held_back_and_the_account_stays_healthy_for_invoices()
    {
        var sender = Sender(new SendLimits { MessagesPerHour = 4 });
        await SendMarketingAsync(sender, 2);

        var held = await sender.SendAsync(Marketing());

        AssertHeldForDirectMail(held, LimitWindow.MessagesPerHour);
        (await sender.SendAsync(new OutgoingEmail("paws", EmailCategory.Invoice, TestData.Message()))).Channel.Should().Be(EmailChannel.Smtp, "the other half of the hour is kept for direct mail");
    }

    [Fact]
    public async Task Marketing_past_its_share_of_the_days_recipients_is_held_back_and_the_account_stays_healthy_for_invoices()
    {
        var sender = Sender(new SendLimits { RecipientsPerDay = 4 });
        await SendMarketingAsync(sender, 2);

        var held = await sender.SendAsync(Marketing());

        AssertHeldForDirectMail(held, LimitWindow.RecipientsPerDay);
        (await sender.SendAsync(new OutgoingEmail("paws", EmailCategory.Invoice, TestData.Message()))).Channel.Should().Be(EmailChannel.Smtp);
    }

    [Fact]
    public async Task Marketing_refused_by_a_window_its_share_does_not_lower_meets_the_accounts_own_limit()
    {
        // A minute's limit is not shared out: marketing and direct mail meet the same one.
        var sender = Sender(new SendLimits { MessagesPerMinute = 1 });
        await SendMarketingAsync(sender, 1);

        var refused = await sender.SendAsync(Marketing());

        var failure = refused.SmtpFailure!;
        failure.LimitWindow.Should().Be(LimitWindow.MessagesPerMinute);
        failure.IsAccountLevel.Should().BeTrue("it is the account's own limit, whatever the category");
        failure.IsTransient.Should().BeTrue("the same email goes through once the minute has passed, with nothing to change");
        failure.Advice.Should().StartWith("Your email provider's sending limit (MessagesPerMinute) has been reached");
    }

    [Fact]
    public async Task Marketing_to_more_recipients_than_one_message_may_carry_fails_at_once_instead_of_waiting_in_the_queue()
    {
        // Waiting lifts no per-message limit: a deferred copy would only be retried until the queue gave up.
        var sender = Sender(new SendLimits { RecipientsPerMessage = 2 });
        var email = Marketing();
        email.Message.To.Add(MimeKit.MailboxAddress.Parse("sam.nguyen@clients.example"));
        email.Message.To.Add(MimeKit.MailboxAddress.Parse("ana.lopez@clients.example"));

        var outcome = await sender.SendAsync(email);

        outcome.Status.Should().Be(SendStatus.Failed, outcome.ToString());
        var failure = outcome.SmtpFailure!;
        failure.LimitWindow.Should().Be(LimitWindow.RecipientsPerMessage);
        failure.IsAccountLevel.Should().BeFalse("this email is too big for the account, the account is fine");
        failure.IsTransient.Should().BeFalse("the same email never fits, however long it waits");
        _harness!.Health.GetHealth("paws").IsHealthy.Should().BeTrue();
        await _smtp.DidNotReceiveWithAnyArgs().SendAsync(default!, default!, default);
    }

    private void AssertHeldForDirectMail(SendOutcome held, LimitWindow window)
    {
        held.Status.Should().Be(SendStatus.Deferred);
        var failure = held.SmtpFailure!;
        failure.LimitWindow.Should().Be(window);
        failure.IsAccountLevel.Should().BeFalse("marketing's share is not the account's limit");
        failure.Advice.Should().StartWith("Marketing paused to keep room for quotes and invoices");
        _harness!.Health.GetHealth("paws").IsHealthy.Should().BeTrue("the owner has nothing to fix");
    }

    private static async Task SendMarketingAsync(EmailSender sender, int count)
    {
        for (var i = 0; i < count; i++)
        {
            (await sender.SendAsync(Marketing())).Channel.Should().Be(EmailChannel.Smtp);
        }
    }

    private static OutgoingEmail Marketing() => new("paws", EmailCategory.Marketing, TestData.Message("Spring offer"));

    private EmailSender Sender(SendLimits limits)
    {
        var account = new SmtpAccountSettings
        {
            Host = "smtp.paws.example",
            Port = 587,
            UserName = "owner@paws.example",
            Password = TestSecrets.OwnerPassword,
            FromAddress = "owner@paws.example",
            Limits = limits,
            MarketingSharePercent = 50,
        };
        _harness = new SenderHarness(_smtp, Substitute.For<INativeMailer>(), configure: null, TestData.Business(smtp: account));
        return _harness.Sender;
    }
}
