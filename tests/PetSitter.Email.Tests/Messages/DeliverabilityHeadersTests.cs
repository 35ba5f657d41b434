using System.Text;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using PetSitter.Email.Testing;
using PetSitter.Email.Tests.EndToEnd;
using PetSitter.Email.Tests.Support;

namespace PetSitter.Email.Tests.Messages;

public sealed class DeliverabilityHeadersTests : IDisposable
{
    private const string Mailbox = "hello@paws.test";
    private static readonly Uri Unsubscribe = new("https://app.petsitter.example/unsubscribe?client=c-42&token=Zm9vYmFy");

    private readonly string _pickup = Path.Combine(Path.GetTempPath(), $"petsitter-headers-{Guid.NewGuid():N}");

    [Fact]
    public async Task Marketing_with_an_unsubscribe_url_carries_the_one_click_headers_on_the_wire()
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new());
        await using var host = new EndToEndHost();
        host.Settings.Set(EndToEndHost.Business("paws", server.CreateAccountSettings(Mailbox, Mailbox, "app-password")));

        var outcome = await host.SendAsync(new OutgoingEmail("paws", EmailCategory.Marketing, EndToEndHost.Message(1, EmailCategory.Marketing)) { UnsubscribeUrl = Unsubscribe });

        outcome.Channel.Should().Be(EmailChannel.Smtp);
        var received = server.Messages.Should().ContainSingle().Subject;
        var wire = Encoding.ASCII.GetString(received.Data.Span);
        wire.Should().Contain($"\r\nList-Unsubscribe: <{Unsubscribe.AbsoluteUri}>\r\n")
            .And.Contain("\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n")
            .And.NotContain("Auto-Submitted");
        received.Message.Headers.Count(h => h.Field == "List-Unsubscribe").Should().Be(1);
    }

    [Fact]
    public async Task Marketing_sent_natively_carries_the_one_click_headers_in_the_pickup_file()
    {
        await using var provider = PickupHost(EndToEndHost.Business("paws", smtp: null));
        var message = EndToEndHost.Message(1, EmailCategory.Marketing);

        await provider.GetRequiredService<IEmailSender>().SendAsync(new OutgoingEmail("paws", EmailCategory.Marketing, message) { UnsubscribeUrl = Unsubscribe });

        var file = ReadPickupFile();
        file.Should().Contain($"\r\nList-Unsubscribe: <{Unsubscribe.AbsoluteUri}>\r\n").And.Contain("\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n");
        message.Headers.Contains("List-Unsubscribe").Should().BeFalse("the caller's message is never changed");
    }

    [Fact]
    public async Task System_notifications_carry_auto_submitted_on_both_channels()
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new());
        await using var host = new EndToEndHost();
        host.Settings.Set(EndToEndHost.Business("paws", server.CreateAccountSettings(Mailbox, Mailbox, "app-password")));
        await using var provider = PickupHost(EndToEndHost.Business("paws", smtp: null));
        var message = EndToEndHost.Message(1, EmailCategory.SystemNotification);

        await host.SendAsync(new OutgoingEmail("paws", EmailCategory.SystemNotification, message));
        await provider.GetRequiredService<IEmailSender>().SendAsync(new OutgoingEmail("paws", EmailCategory.SystemNotification, message));

        Encoding.ASCII.GetString(server.Messages.Should().ContainSingle().Subject.Data.Span).Should().Contain("\r\nAuto-Submitted: auto-generated\r\n").And.NotContain("List-Unsubscribe");
        ReadPickupFile().Should().Contain("\r\nAuto-Submitted: auto-generated\r\n").And.NotContain("List-Unsubscribe");
        message.Headers.Contains("Auto-Submitted").Should().BeFalse("the caller's message is never changed");
    }

    [Theory]
    [InlineData(EmailCategory.Invoice)]
    [InlineData(EmailCategory.Quote)]
    [InlineData(EmailCategory.General)]
    [InlineData(EmailCategory.AccountSummary)]
    public async Task Other_categories_never_carry_the_headers_even_when_the_url_is_set(EmailCategory category)
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new());
        await using var host = new EndToEndHost();
        host.Settings.Set(EndToEndHost.Business("paws", server.CreateAccountSettings(Mailbox, Mailbox, "app-password")));
        await using var provider = PickupHost(EndToEndHost.Business("paws", smtp: null));
        var message = EndToEndHost.Message(1, category);

        var smtp = await host.SendAsync(new OutgoingEmail("paws", category, message) { UnsubscribeUrl = Unsubscribe });
        var native = await provider.GetRequiredService<IEmailSender>().SendAsync(new OutgoingEmail("paws", category, message) { UnsubscribeUrl = Unsubscribe });

        smtp.IsSent.Should().BeTrue("the URL is ignored, never a reason to refuse an invoice");
        native.IsSent.Should().BeTrue();
        foreach (var sent in new[] { Encoding.ASCII.GetString(server.Messages.Should().ContainSingle().Subject.Data.Span), ReadPickupFile() })
        {
            sent.Should().NotContain("List-Unsubscribe").And.NotContain("Auto-Submitted");
        }
    }

    [Fact]
    public void A_message_that_already_has_what_its_category_needs_is_sent_without_a_copy()
    {
        var message = Support.TestData.Message();
        message.MessageId = "n1@paws.test";
        message.Headers.Add("Auto-Submitted", "auto-replied");
        var notification = new OutgoingEmail("paws", EmailCategory.SystemNotification, message);
        var invoice = new OutgoingEmail("paws", EmailCategory.Invoice, message) { UnsubscribeUrl = Unsubscribe };

        DeliverabilityHeaders.Prepare(notification, TestLogging.For<DeliverabilityHeadersTests>()).Should().BeSameAs(notification, "the sender's own Auto-Submitted is kept");
        DeliverabilityHeaders.Prepare(invoice, TestLogging.For<DeliverabilityHeadersTests>()).Should().BeSameAs(invoice);
        message.Headers["Auto-Submitted"].Should().Be("auto-replied");
    }

    [Fact]
    public void The_apps_url_replaces_a_list_unsubscribe_already_on_the_message_and_the_message_id_is_added_on_the_same_copy()
    {
        var message = Support.TestData.Message();
        message.Headers.Remove(HeaderId.MessageId);
        message.Headers.Add("List-Unsubscribe", "<mailto:leave@paws.test>");
        var email = new OutgoingEmail("paws", EmailCategory.Marketing, message) { UnsubscribeUrl = Unsubscribe };

        var prepared = DeliverabilityHeaders.Prepare(email, TestLogging.For<DeliverabilityHeadersTests>());

        prepared.Message.Should().NotBeSameAs(message);
        prepared.UnsubscribeUrl.Should().Be(Unsubscribe);
        prepared.Message.MessageId.Should().NotBeNullOrEmpty();
        prepared.Message.Headers.Where(h => h.Field == "List-Unsubscribe").Select(h => h.Value).Should().Equal($"<{Unsubscribe.AbsoluteUri}>");
        DeliverabilityHeaders.Prepare(prepared, TestLogging.For<DeliverabilityHeadersTests>()).Should().BeSameAs(prepared, "a prepared email (a deferred one, sent again) needs nothing more");
        message.Headers["List-Unsubscribe"].Should().Be("<mailto:leave@paws.test>");
        message.MessageId.Should().BeNullOrEmpty();
    }

    [Theory]
    [InlineData("/unsubscribe?token=1", "relative")]
    [InlineData("http://app.petsitter.example/unsubscribe", "scheme is 'http'")]
    [InlineData("mailto:leave@paws.test", "scheme is 'mailto'")]
    [InlineData("https://user:secret@app.petsitter.example/unsubscribe", "user name or password")]
    [InlineData("https://bücher.example/unsubscribe", "xn--")]
    public void An_unsubscribe_url_that_cannot_be_a_one_click_link_is_refused_naming_the_field(string url, string problem)
    {
        var email = () => new OutgoingEmail("paws", EmailCategory.Marketing, Support.TestData.Message()) { UnsubscribeUrl = new Uri(url, UriKind.RelativeOrAbsolute) };

        var thrown = email.Should().Throw<ArgumentException>().Which;
        thrown.ParamName.Should().Be("UnsubscribeUrl");
        thrown.Message.Should().Contain("OutgoingEmail.UnsubscribeUrl").And.Contain(problem).And.NotContain("secret");
    }

    [Fact]
    public void An_unsubscribe_url_too_long_for_a_header_line_is_refused()
    {
        var url = new Uri("https://app.petsitter.example/u?t=" + new string('a', 900));

        var email = () => new OutgoingEmail("paws", EmailCategory.Marketing, Support.TestData.Message()) { UnsubscribeUrl = url };

        email.Should().Throw<ArgumentException>().WithMessage("*900*");
    }

    public void Dispose()
    {
        if (Directory.Exists(_pickup))
        {
            Directory.Delete(_pickup, recursive: true);
        }
    }

    private ServiceProvider PickupHost(BusinessEmailSettings business)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IBusinessEmailSettingsProvider>(new Support.StaticSettingsProvider(business));
        services.AddPetSitterEmail(options => options.Native.PlatformFromAddress = "mailer@petsitter.test").UsePickupDirectory(_pickup);
        return services.BuildServiceProvider();
    }

    /// <summary>The pickup file with CRLF line ends, as on the wire (the mailer writes the platform's line ends).</summary>
    private string ReadPickupFile() =>
        File.ReadAllText(Directory.GetFiles(_pickup, "*.eml").Should().ContainSingle().Subject).ReplaceLineEndings("\r\n");
}
