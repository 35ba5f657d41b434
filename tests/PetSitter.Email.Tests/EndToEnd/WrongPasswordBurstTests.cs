using PetSitter.Email.Testing;
using PetSitter.Email.Tests.Secrets;

namespace PetSitter.Email.Tests.EndToEnd;

/// <summary>
/// A wrong password costs exactly one sign-in and every outcome names it, whatever the account's preset and
/// however long the throttle may wait: a send that waited (for its lane, for a per-second slot) asks the breaker
/// again before it signs in or writes, and an open breaker wins over a limiter's refusal in the outcome. On the
/// real clock, as a consumer runs it: a regression shows as extra sign-ins or a test that takes the throttle's
/// wait in wall time.
/// </summary>
public sealed class WrongPasswordBurstTests
{
    private const string User = "paws@gmail.test";
    private static readonly EmailCategory[] Categories = Enum.GetValues<EmailCategory>();

    public static TheoryData<string, int> PresetsAndWaits()
    {
        var data = new TheoryData<string, int>();
        foreach (var preset in new[] { ProviderPresets.Gmail.Name, ProviderPresets.Yahoo.Name, ProviderPresets.Zoho.Name })
        {
            foreach (var seconds in new[] { 0, 2, 10 })
            {
                data.Add(preset, seconds);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(PresetsAndWaits))]
    public async Task A_burst_against_a_wrong_password_costs_one_sign_in_and_every_outcome_names_the_password(string preset, int maxThrottleWaitSeconds)
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new() { ServerName = "smtp.gmail.test", UserName = User, Password = TestSecrets.NewAppPassword });

        // Gmail's own refusal (providers.md, https://support.google.com/mail/?p=BadCredentials) for every preset:
        // what is under test is each preset's limits, not the provider's wording.
        server.Script = context => context.Stage == SmtpStage.Authenticate ? ProviderReplies.Gmail.BadCredentials : null;
        await using var host = new RealClockHost(TimeSpan.FromSeconds(maxThrottleWaitSeconds));
        host.Settings.Set(EndToEndHost.Business("paws", WithPreset(server.CreateAccountSettings(User, password: TestSecrets.OldPassword), preset)));

        // Fifty sends of every category start together, as from a billing run: none has failed when they start.
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 50).Select(n => host.SendAsync("paws", Categories[n % Categories.Length], n)));

        server.AuthenticationsFailed.Should().Be(1, "one wrong password opens the breaker, and every send that waited asks it again");
        server.AuthenticationsSucceeded.Should().Be(0);
        server.Messages.Should().BeEmpty();
        outcomes.Select(o => o.MessageId).Should().Equal(Enumerable.Range(0, 50).Select(EndToEndHost.MessageId));
        var native = host.Native.Messages.ToDictionary(m => m.MessageId ?? string.Empty);
        foreach (var outcome in outcomes)
        {
            outcome.FailureKind.Should().Be(SmtpFailureKind.AuthenticationFailed, "the owner is told the password is wrong, not that a limit was reached: {0}", outcome);
            if (outcome.Category == EmailCategory.Marketing)
            {
                outcome.Status.Should().Be(SendStatus.Deferred, outcome.ToString());
                native.Should().NotContainKey(outcome.MessageId);
            }
            else
            {
                outcome.Status.Should().Be(SendStatus.Sent, outcome.ToString());
                outcome.Channel.Should().Be(EmailChannel.Native);
                outcome.IsFallback.Should().BeTrue();
                native.Should().ContainKey(outcome.MessageId);
            }
        }

        (await host.Queue.CountAsync(CancellationToken.None)).Should().Be(outcomes.Count(o => o.Category == EmailCategory.Marketing));
        var counted = await host.Quotas.GetAsync(SmtpChannel.AccountKey(host.Settings.Get("paws").Smtp!));
        (counted?.MessagesLastDay ?? counted?.MessagesLastHour ?? 0).Should().Be(0, "no message went on the wire, so none was counted");
    }

    private static SmtpAccountSettings WithPreset(SmtpAccountSettings account, string preset) => new()
    {
        Host = account.Host,
        Port = account.Port,
        Security = account.Security,
        UserName = account.UserName,
        Password = account.Password,
        FromAddress = account.FromAddress,
        AllowAuthenticationWithoutTls = account.AllowAuthenticationWithoutTls,
        TrustedCertificateAuthorities = account.TrustedCertificateAuthorities,
        Provider = preset,
    };
}
