using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MimeKit;
using PetSitter.Email;
using PetSitter.Email.Testing;

namespace PetSitter.Email.ConsumerTests;

/// <summary>
/// The packed packages used as an app uses them: public API only, the defaults a real host gets (provider
/// presets on), registered through <c>AddPetSitterEmail()</c>. What the repository's own tests prove through
/// project references and internals, these prove through what ships.
/// </summary>
public sealed class PackagedLibraryTests
{
    private const string Owner = "paws@gmail.test";
    private const string RightPassword = "consumer-right-app-password";
    private const string WrongPassword = "consumer-wrong-app-password";

    [Theory]
    [InlineData("Gmail")]
    [InlineData("Yahoo")]
    [InlineData("Zoho")]
    public async Task A_wrong_password_costs_one_sign_in_and_every_outcome_names_the_password(string preset)
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new() { Security = ScriptedServerSecurity.StartTls, UserName = Owner, Password = RightPassword });

        // Gmail's refusal as support.google.com/mail/?p=BadCredentials words it (the Testing package's copy).
        server.Script = context => context.Stage == SmtpStage.Authenticate ? ProviderReplies.Gmail.BadCredentials : null;
        var native = new RecordingNativeMailer();
        await using var services = Services(Business(WithPreset(server.CreateAccountSettings(Owner, password: WrongPassword), preset)), native);
        var sender = services.GetRequiredService<IEmailSender>();
        var categories = Enum.GetValues<EmailCategory>();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 50).Select(n =>
            sender.SendAsync(new OutgoingEmail("paws", categories[n % categories.Length], Message(n)), CancellationToken.None)));

        server.AuthenticationsFailed.Should().Be(1, "one wrong password, one sign-in, whatever the preset's per-second limit");
        outcomes.Should().OnlyContain(o => o.SmtpFailure != null && o.SmtpFailure.Kind == SmtpFailureKind.AuthenticationFailed);
        outcomes.Where(o => o.Category == EmailCategory.Marketing).Should().OnlyContain(o => o.Status == SendStatus.Deferred);
        outcomes.Where(o => o.Category != EmailCategory.Marketing).Should().OnlyContain(o => o.Status == SendStatus.Sent && o.Channel == EmailChannel.Native && o.IsFallback);
        native.Messages.Should().HaveCount(outcomes.Count(o => o.Category != EmailCategory.Marketing));
    }

    [Fact]
    public async Task Logging_added_after_the_library_still_reaches_the_app_and_carries_the_librarys_entries()
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new() { Security = ScriptedServerSecurity.StartTls, UserName = Owner, Password = RightPassword });
        var entries = new ConcurrentQueue<(string Category, string Message)>();
        var services = new ServiceCollection();
        services.AddSingleton<IBusinessEmailSettingsProvider>(new Settings(Business(server.CreateAccountSettings(Owner, password: RightPassword))));
        services.AddSingleton<INativeMailer>(new RecordingNativeMailer());
        services.AddPetSitterEmail(options => options.Native.PlatformFromAddress = "mailer@platform.test");
        services.AddLogging(logging => logging.AddProvider(new Capturing(entries)).SetMinimumLevel(LogLevel.Debug));
        await using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<ILogger<PackagedLibraryTests>>().LogInformation("the app's own entry");
        var outcome = await provider.GetRequiredService<IEmailSender>().SendAsync(new OutgoingEmail("paws", EmailCategory.Invoice, Message(1)), CancellationToken.None);

        outcome.Status.Should().Be(SendStatus.Sent);
        outcome.Channel.Should().Be(EmailChannel.Smtp);
        entries.Should().Contain(e => e.Message == "the app's own entry", "the library must not replace the app's logging");
        entries.Should().Contain(e => e.Category.StartsWith("PetSitter.Email", StringComparison.Ordinal), "the library logs through the app's logging");
        entries.Should().NotContain(e => e.Message.Contains(RightPassword, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_app_can_dispatch_deferred_mail_itself_and_learns_which_window_refused_a_send()
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new() { Security = ScriptedServerSecurity.StartTls, UserName = Owner, Password = RightPassword });
        await using var services = Services(
            Business(WithPreset(server.CreateAccountSettings(Owner, password: RightPassword), "Gmail", new SendLimits { MessagesPerDay = 1 })),
            new RecordingNativeMailer());
        var sender = services.GetRequiredService<IEmailSender>();

        var first = await sender.SendAsync(new OutgoingEmail("paws", EmailCategory.Marketing, Message(1)), CancellationToken.None);
        var second = await sender.SendAsync(new OutgoingEmail("paws", EmailCategory.Marketing, Message(2)), CancellationToken.None);
        var dispatched = await services.GetRequiredService<IDeferredEmailDispatcher>().DispatchDueAsync(CancellationToken.None);

        first.Status.Should().Be(SendStatus.Sent, first.SmtpFailure?.ToString() + " | " + first.SmtpFailure?.Reply + " | " + first.Reason);
        second.Status.Should().Be(SendStatus.Deferred);
        second.LimitWindow.Should().Be(LimitWindow.MessagesPerDay, "the outcome says which window refused it, as data");
        dispatched.Taken.Should().Be(0, "the deferred message is not due before the day window has room again");
        server.Messages.Should().HaveCount(1);
    }

    private static ServiceProvider Services(BusinessEmailSettings business, RecordingNativeMailer native)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IBusinessEmailSettingsProvider>(new Settings(business));
        services.AddSingleton<INativeMailer>(native);
        services.AddPetSitterEmail(options => options.Native.PlatformFromAddress = "mailer@platform.test");
        return services.BuildServiceProvider();
    }

    private static BusinessEmailSettings Business(SmtpAccountSettings smtp) => new()
    {
        BusinessId = "paws",
        BusinessName = "Paws & Claws",
        ReplyToAddress = Owner,
        Smtp = smtp,
    };

    private static SmtpAccountSettings WithPreset(SmtpAccountSettings account, string preset, SendLimits? limits = null) => new()
    {
        Host = account.Host,
        Port = account.Port,
        Security = account.Security,
        UserName = account.UserName,
        Password = account.Password,
        FromAddress = account.FromAddress,
        TrustedCertificateAuthorities = account.TrustedCertificateAuthorities,
        Provider = preset,
        Limits = limits,
    };

    private static MimeMessage Message(int n)
    {
        var message = new MimeMessage { Subject = $"Message {n}", MessageId = $"consumer-{n}@paws.test" };
        message.To.Add(MailboxAddress.Parse($"client{n}@example.test"));
        message.Body = new TextPart("plain") { Text = "Thank you for choosing us." };
        return message;
    }

    private sealed class Settings(BusinessEmailSettings business) : IBusinessEmailSettingsProvider
    {
        public ValueTask<BusinessEmailSettings?> GetSettingsAsync(string businessId, CancellationToken cancellationToken) =>
            ValueTask.FromResult<BusinessEmailSettings?>(businessId == business.BusinessId ? business : null);
    }

    private sealed class Capturing(ConcurrentQueue<(string, string)> entries) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, entries);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<(string, string)> entries) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                entries.Enqueue((category, formatter(state, exception)));
        }
    }
}
