using System.Globalization;
using PetSitter.Email.Redis.Tests.Support;
using PetSitter.Email.Testing;
using PetSitter.Email.Tests.Secrets;
using Xunit.Abstractions;

namespace PetSitter.Email.Redis.Tests.Health;

/// <summary>
/// App instances that all start sending for one account at the same moment, against a real SMTP server on
/// loopback and the real Redis: the first sign-in with the account's settings is one for the whole fleet.
/// Real clock: the instances race on the wire, which is the point.
/// </summary>
[Collection(RedisGroup.Name)]
public sealed class FleetFirstSignInTests(RedisFixture redis, ITestOutputHelper output)
{
    private const int SendsPerInstance = 10;
    private const string Owner = "owner@paws.example";

    private static readonly EmailCategory[] Mix =
        [EmailCategory.Invoice, EmailCategory.Marketing, EmailCategory.Quote, EmailCategory.General, EmailCategory.SystemNotification];

    [Theory]
    [InlineData(4, null)]
    [InlineData(8, null)]
    [InlineData(4, "Gmail")]
    [InlineData(8, "Gmail")]
    public async Task A_wrong_password_costs_the_fleet_one_sign_in_when_every_instance_starts_at_once(int instances, string? provider)
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new() { UserName = Owner, Password = TestSecrets.RedisAccountPassword });

        // Gmail's refusal of a wrong password, as /work/shared/providers.md quotes it from
        // https://support.google.com/mail/?p=BadCredentials (the reply's own link).
        server.Script = context => context.Stage == SmtpStage.Authenticate ? ProviderReplies.Gmail.BadCredentials : null;
        var settings = new Settings(Settings.Business(Account(server, TestSecrets.RedisChangedPassword, provider)));

        var (byInstance, fleet) = await SendAllAtOnceAsync(instances, settings);
        try
        {
            Report("wrong password", instances, provider, server, fleet);
            var outcomes = byInstance.SelectMany(o => o).ToArray();

            server.AuthenticationsFailed.Should().Be(1, "one instance signs in for the fleet; the others follow its verdict");
            server.AuthenticationsSucceeded.Should().Be(0);
            server.Messages.Should().BeEmpty();
            outcomes.Should().HaveCount(instances * SendsPerInstance);
            outcomes.Select(o => o.MessageId).Should().OnlyHaveUniqueItems("every message has exactly one outcome");
            outcomes.Should().OnlyContain(o => o.FailureKind == SmtpFailureKind.AuthenticationFailed, "the owner is told the password is wrong, whichever instance sent and whatever limit the preset sets");
        }
        finally
        {
            await DisposeAsync(fleet);
        }
    }

    [Theory]
    [InlineData(4)]
    [InlineData(8)]
    public async Task A_healthy_account_signs_in_once_first_and_then_every_instance_sends(int instances)
    {
        await using var server = await ScriptedSmtpServer.StartAsync(new() { UserName = Owner, Password = TestSecrets.RedisAccountPassword });
        var settings = new Settings(Settings.Business(Account(server, TestSecrets.RedisAccountPassword, provider: null)));

        var (byInstance, fleet) = await SendAllAtOnceAsync(instances, settings);
        try
        {
            Report("healthy", instances, null, server, fleet);
            var outcomes = byInstance.SelectMany(o => o).ToArray();

            outcomes.Should().HaveCount(instances * SendsPerInstance)
                .And.OnlyContain(o => o.Status == SendStatus.Sent && o.Channel == EmailChannel.Smtp, "the first sign-in succeeded, so everyone follows it");
            server.Messages.Select(m => m.Message.MessageId).Should().OnlyHaveUniqueItems().And.HaveCount(instances * SendsPerInstance);
            server.AuthenticationsFailed.Should().Be(0);
            server.AuthenticationsSucceeded.Should().Be(server.ConnectionsOpened, "each connection signs in once");
            var bound = fleet[0].Get<RedisConnection>().Options.FirstSignInWait;
            fleet.Select(Breaker).Should().OnlyContain(b => b.LongestFirstSignInWait < bound, "a follower waits for the verdict, never past the first-sign-in bound");
        }
        finally
        {
            await DisposeAsync(fleet);
        }
    }

    private static SmtpAccountSettings Account(ScriptedSmtpServer server, string password, string? provider)
    {
        var plain = server.CreateAccountSettings(Owner, password: password);
        return new SmtpAccountSettings
        {
            Host = plain.Host,
            Port = plain.Port,
            Security = plain.Security,
            UserName = plain.UserName,
            Password = plain.Password,
            FromAddress = plain.FromAddress,
            AllowAuthenticationWithoutTls = plain.AllowAuthenticationWithoutTls,
            Provider = provider,
        };
    }

    private static RedisAccountBreaker Breaker(Instance instance) => instance.Get<RedisAccountBreaker>();

    private static async Task DisposeAsync(Instance[] fleet)
    {
        foreach (var instance in fleet)
        {
            await instance.DisposeAsync();
        }
    }

    /// <summary>Builds the fleet, opens each instance's Redis connection, then releases every send at once.</summary>
    private async Task<(SendOutcome[][] ByInstance, Instance[] Fleet)> SendAllAtOnceAsync(int instances, Settings settings)
    {
        var prefix = RedisFixture.NewPrefix();
        var fleet = Enumerable.Range(0, instances).Select(_ => new Instance(redis.ConnectionString, prefix, TimeProvider.System, settings)).ToArray();
        foreach (var instance in fleet)
        {
            await instance.Get<RedisConnection>().GetDatabaseAsync();
        }

        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sends = fleet.Select((instance, i) => Task.WhenAll(Enumerable.Range(0, SendsPerInstance).Select(async n =>
        {
            var number = (i * SendsPerInstance) + n;
            await start.Task;
            return await instance.Sender.SendAsync(Settings.Email(Mix[number % Mix.Length], number));
        }))).ToArray();
        start.SetResult();
        return (await Task.WhenAll(sends), fleet);
    }

    private void Report(string account, int instances, string? provider, ScriptedSmtpServer server, Instance[] fleet)
    {
        var waits = fleet.Select(Breaker).ToArray();
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{account}, {instances} instances, preset {provider ?? "none"}: AUTH failed {server.AuthenticationsFailed}, succeeded {server.AuthenticationsSucceeded}, connections {server.ConnectionsOpened}; "
            + $"checks that waited for the first sign-in {waits.Sum(b => b.FirstSignInWaits)}, longest wait {waits.Max(b => b.LongestFirstSignInWait).TotalMilliseconds:0} ms"));
    }
}
