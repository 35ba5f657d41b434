using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MimeKit;
using PetSitter.Email.Testing;
using PetSitter.Email.Tests.Support;

namespace PetSitter.Email.Tests.Smtp;

/// <summary>The platform's SMTP relay as the native mailer, against a real SMTP server on loopback.</summary>
public sealed class SmtpRelayNativeMailerTests : IAsyncDisposable
{
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(20));
    private readonly List<IAsyncDisposable> _disposables = [];

    [Fact]
    public async Task The_relay_mailer_sends_native_mail_through_the_relay()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTlsRequired, UserName = "platform", Password = "relay-secret" });
        var provider = Services(server);
        var mailer = provider.GetRequiredService<INativeMailer>();
        var message = MailKitSmtpTransportTests.Simple("Your invoice");
        message.From.Clear();
        message.From.Add(new MailboxAddress("Paws & Claws via Pet Sitter Plus", "mailer@petsoftware.test"));

        var receipt = await mailer.SendAsync(message, _timeout.Token);

        mailer.Should().BeOfType<SmtpRelayNativeMailer>();
        receipt.Location.Should().Be($"{server.Host}:{server.Port}");
        var received = (await server.WaitForMessagesAsync(1, _timeout.Token)).Single();
        received.Sender.Should().Be("mailer@petsoftware.test");
        received.UserName.Should().Be("platform");
        received.WasSecure.Should().BeTrue();
        received.Message.Subject.Should().Be("Your invoice");
    }

    [Fact]
    public async Task An_invoice_of_a_business_without_smtp_goes_out_through_the_relay()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.ImplicitTls });
        var provider = Services(server);
        var sender = provider.GetRequiredService<IEmailSender>();
        var message = MailKitSmtpTransportTests.Simple("Invoice 42");

        var outcome = await sender.SendAsync(new OutgoingEmail("paws", EmailCategory.Invoice, message), _timeout.Token);

        outcome.IsSent.Should().BeTrue();
        outcome.Channel.Should().Be(EmailChannel.Native);
        var received = (await server.WaitForMessagesAsync(1, _timeout.Token)).Single();
        received.Message.From.Mailboxes.Single().Address.Should().Be("mailer@petsoftware.test");
        received.Message.ReplyTo.Mailboxes.Single().Address.Should().Be("hello@paws.example");
    }

    [Fact]
    public async Task Repeated_relay_sends_share_one_pooled_connection()
    {
        var server = await StartAsync(new() { Security = ScriptedServerSecurity.StartTls });
        var mailer = Services(server).GetRequiredService<INativeMailer>();

        for (var i = 0; i < 5; i++)
        {
            await mailer.SendAsync(MailKitSmtpTransportTests.Simple($"Reminder {i}"), _timeout.Token);
        }

        server.ConnectionsOpened.Should().Be(1);
        server.Messages.Should().HaveCount(5);
    }

    [Fact]
    public void Relay_options_without_a_host_fail_validation_at_start()
    {
        var services = new ServiceCollection();
        services.AddPetSitterEmail().UseNativeSmtpRelay(options => options.Port = 587);
        using var provider = services.BuildServiceProvider();

        var validate = () => provider.GetRequiredService<IStartupValidator>().Validate();

        validate.Should().Throw<OptionsValidationException>().Which.Message.Should().Contain("NativeSmtpRelayOptions.Host");
    }

    [Fact]
    public void The_default_registration_uses_the_MailKit_transport()
    {
        var services = new ServiceCollection();
        services.AddPetSitterEmail();
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<ISmtpTransport>().Should().BeOfType<MailKitSmtpTransport>();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var disposable in Enumerable.Reverse(_disposables))
        {
            await disposable.DisposeAsync();
        }

        _timeout.Dispose();
    }

    private ServiceProvider Services(ScriptedSmtpServer server)
    {
        var settings = new StaticSettingsProvider(new BusinessEmailSettings
        {
            BusinessId = "paws",
            BusinessName = "Paws & Claws",
            ReplyToAddress = "hello@paws.example",
        });

        var services = new ServiceCollection();
        services.AddTestLogging();
        services.AddSingleton<IBusinessEmailSettingsProvider>(settings);
        services.AddPetSitterEmail(options => options.Native.PlatformFromAddress = "mailer@petsoftware.test")
            .UseNativeSmtpRelay(options =>
            {
                options.Host = server.Host;
                options.Port = server.Port;
                options.Security = server.CreateAccountSettings().Security;
                options.UserName = server.Options.UserName;
                options.Password = server.Options.Password;
                options.TrustedCertificateAuthorities.Add(server.CertificateAuthority.Certificate);
            });
        var provider = services.BuildServiceProvider();
        _disposables.Add(provider);
        provider.GetRequiredService<IStartupValidator>().Validate();
        return provider;
    }

    private async Task<ScriptedSmtpServer> StartAsync(ScriptedSmtpServerOptions options)
    {
        var server = await ScriptedSmtpServer.StartAsync(options, _timeout.Token);
        _disposables.Add(server);
        return server;
    }
}
