using MimeKit;

namespace PetSitter.Email.Tests.Messages;

public sealed class MessageRecipientsTests
{
    [Fact]
    public void Counts_to_cc_bcc_and_group_members_like_the_mailboxes_enumeration()
    {
        var message = new MimeMessage();
        message.To.Add(MailboxAddress.Parse("a@example.com"));
        message.To.Add(new GroupAddress("Walkers", [MailboxAddress.Parse("b@example.com"), MailboxAddress.Parse("c@example.com")]));
        message.Cc.Add(MailboxAddress.Parse("d@example.com"));
        message.Bcc.Add(MailboxAddress.Parse("e@example.com"));
        message.Bcc.Add(new GroupAddress("Nobody", []));

        MessageRecipients.Count(message).Should().Be(5)
            .And.Be(message.To.Mailboxes.Count() + message.Cc.Mailboxes.Count() + message.Bcc.Mailboxes.Count());
    }

    [Fact]
    public void A_message_without_recipients_counts_zero()
    {
        MessageRecipients.Count(new MimeMessage()).Should().Be(0);
    }
}
