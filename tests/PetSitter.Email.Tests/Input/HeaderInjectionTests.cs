using System.Text;
using MimeKit;
using PetSitter.Email.Tests.EndToEnd;

namespace PetSitter.Email.Tests.Input;

/// <summary>
/// CR/LF smuggled into header values and addresses: checked on what the server received, not on the
/// message object, because header injection happens (or not) on the wire.
/// </summary>
public sealed class HeaderInjectionTests
{
    private const string Victim = "victim@x.example";

    public static TheoryData<string> Injections => new()
    {
        "subject",
        "recipient display name",
        "custom header",
        "reply-to display name",
    };

    [Theory]
    [MemberData(nameof(Injections))]
    public async Task A_line_break_in_a_header_value_never_becomes_a_header_or_a_recipient_on_the_wire(string where)
    {
        await using var world = await InputServer.StartAsync();
        var message = EndToEndHost.Message(1, EmailCategory.Invoice);
        var injected = $"Hi\r\nBcc: {Victim}\r\nX-Injected: yes";
        switch (where)
        {
            case "subject":
                message.Subject = injected;
                break;
            case "recipient display name":
                message.To.Clear();
                message.To.Add(new MailboxAddress(injected, "client@clients.example"));
                break;
            case "custom header":
                message.Headers.Add("X-Booking", injected);
                break;
            default:
                message.ReplyTo.Add(new MailboxAddress(injected, "office@paws.example"));
                break;
        }

        var outcome = await world.Host.SendAsync(new OutgoingEmail("paws", EmailCategory.Invoice, message));

        outcome.IsSent.Should().BeTrue(where);
        var received = world.Server.Messages.Should().ContainSingle().Subject;
        received.Recipients.Should().ContainSingle("the envelope has only the real recipient").Which.Should().Be("client@clients.example");
        var wire = Encoding.UTF8.GetString(received.Data.Span);
        wire.Split("\r\n").Should().NotContain(line => line.StartsWith("Bcc:", StringComparison.OrdinalIgnoreCase) || line.StartsWith("X-Injected:", StringComparison.OrdinalIgnoreCase));
        received.Message.Bcc.Count.Should().Be(0);
        received.Message.Headers.Contains("X-Injected").Should().BeFalse();
    }

    [Theory]
    [InlineData("client@clients.example\r\nRCPT TO:<victim@x.example>")]
    [InlineData("client@clients.example\nBcc: victim@x.example")]
    [InlineData("client\0@clients.example")]
    public void A_line_break_in_an_address_cannot_even_be_put_into_a_message(string address)
    {
        // MimeKit refuses the mailbox itself, so such an address never reaches IEmailSender or RCPT TO.
        FluentActions.Invoking(() => new MailboxAddress("Sneaky", address)).Should().Throw<ParseException>();
        FluentActions.Invoking(() => MailboxAddress.Parse(address)).Should().Throw<ParseException>();
    }

    [Fact]
    public async Task A_business_name_with_a_line_break_is_a_settings_error_not_a_header()
    {
        await using var world = await InputServer.StartAsync();
        world.Host.Settings.Set(new BusinessEmailSettings
        {
            BusinessId = "paws",
            BusinessName = $"Paws\r\nBcc: {Victim}",
            ReplyToAddress = "office@paws.example",
            Smtp = world.Account,
        });

        var act = () => world.Host.SendAsync("paws", EmailCategory.Invoice, 1);

        (await act.Should().ThrowAsync<EmailSettingsException>()).Which.Errors.Should().ContainSingle().Which.Should().StartWith("BusinessName");
        world.Server.ConnectionsOpened.Should().Be(0);
    }
}
