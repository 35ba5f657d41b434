using MimeKit;
using PetSitter.Email.Tests.Support;

namespace PetSitter.Email.Tests.Native;

public class NativeIdentityTests
{
    [Fact]
    public void Native_mail_is_from_the_platform_as_the_business_with_reply_to_the_business()
    {
        var original = TestData.Message();
        original.Sender = MailboxAddress.Parse("bounce@paws.example");

        var rewritten = NativeIdentity.Apply(original, TestData.Business(), new NativeIdentityOptions());

        rewritten.From.Mailboxes.Should().ContainSingle().Which.Should().Match<MailboxAddress>(m =>
            m.Address == "mailer@petsoftware.net" && m.Name == "Paws & Claws via Pet Sitter Plus");
        rewritten.ReplyTo.Mailboxes.Should().ContainSingle().Which.Address.Should().Be("office@paws.example");
        rewritten.Sender.Should().BeNull();
        rewritten.MessageId.Should().Be(original.MessageId);
        rewritten.Subject.Should().Be(original.Subject);
        rewritten.To.ToString().Should().Be(original.To.ToString());
    }

    [Fact]
    public void The_callers_message_is_left_unchanged()
    {
        var original = TestData.Message();
        var before = original.ToString();

        NativeIdentity.Apply(original, TestData.Business(), new NativeIdentityOptions());

        original.ToString().Should().Be(before);
    }

    [Fact]
    public void The_display_name_format_and_platform_address_come_from_options()
    {
        var options = new NativeIdentityOptions { PlatformFromAddress = "noreply@platform.example", DisplayNameFormat = "{Business} (sent by Platform)" };

        var rewritten = NativeIdentity.Apply(TestData.Message(), TestData.Business(), options);

        rewritten.From.Mailboxes.Single().ToString().Should().Be("\"Paws & Claws (sent by Platform)\" <noreply@platform.example>");
    }
}
