using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using PetSitter.Email.Testing;
using PetSitter.Email.Tests.EndToEnd;
using PetSitter.Email.Tests.Secrets;

namespace PetSitter.Email.Tests.Suppression;

/// <summary>A registered <see cref="IUnsubscribeLinkFactory"/> fills the RFC 8058 headers of one-recipient marketing.</summary>
public sealed class UnsubscribeLinkFactoryTests
{
    private const string Mailbox = "hello@paws.test";

    [Fact]
    public async Task Marketing_to_one_recipient_carries_the_factorys_url_for_that_business_and_address()
    {
        var (server, host) = await StartAsync();
        await using var _ = server;
        await using var __ = host;

        var outcome = await host.SendAsync("paws", EmailCategory.Marketing, 1, "olivia.hart@clients.example");

        outcome.IsSent.Should().BeTrue(outcome.ToString());
        var headers = server.Messages.Should().ContainSingle().Which.Message.Headers;
        headers[DeliverabilityHeaders.ListUnsubscribe]!.Trim().Should().Be("<https://app.example/email/unsubscribe?for=paws/olivia.hart@clients.example>");
        headers[DeliverabilityHeaders.ListUnsubscribePost].Should().Be(DeliverabilityHeaders.OneClick);
    }

    [Fact]
    public async Task The_apps_own_url_wins_and_other_categories_and_several_recipients_get_none()
    {
        var (server, host) = await StartAsync();
        await using var _ = server;
        await using var __ = host;
        var own = new OutgoingEmail("paws", EmailCategory.Marketing, EndToEndHost.Message(1, EmailCategory.Marketing)) { UnsubscribeUrl = new Uri("https://own.example/u?t=1") };
        var several = EndToEndHost.Message(2, EmailCategory.Marketing);
        several.Cc.Add(MailboxAddress.Parse("sam.nguyen@clients.example"));

        await host.SendAsync(own);
        await host.SendAsync(new OutgoingEmail("paws", EmailCategory.Marketing, several));
        await host.SendAsync("paws", EmailCategory.Invoice, 3);

        var received = server.Messages.ToDictionary(m => m.Message.MessageId!, m => m.Message.Headers);
        received[EndToEndHost.MessageId(1)][DeliverabilityHeaders.ListUnsubscribe]!.Trim().Should().Be("<https://own.example/u?t=1>");
        received[EndToEndHost.MessageId(2)].Contains(DeliverabilityHeaders.ListUnsubscribe).Should().BeFalse("a URL names one recipient");
        received[EndToEndHost.MessageId(3)].Contains(DeliverabilityHeaders.ListUnsubscribe).Should().BeFalse();
    }

    private static async Task<(ScriptedSmtpServer Server, EndToEndHost Host)> StartAsync()
    {
        var server = await ScriptedSmtpServer.StartAsync(new());
        var host = new EndToEndHost(builder => builder.Services.AddSingleton<IUnsubscribeLinkFactory, PlainLinks>());
        host.Settings.Set(EndToEndHost.Business("paws", server.CreateAccountSettings(Mailbox, Mailbox, TestSecrets.AppPassword)));
        return (server, host);
    }

    /// <summary>Names the business and address in clear, so the test can read what it was asked for.</summary>
    private sealed class PlainLinks : IUnsubscribeLinkFactory
    {
        public Uri CreateUrl(string businessId, string address) => new($"https://app.example/email/unsubscribe?for={businessId}/{address}");
    }
}
