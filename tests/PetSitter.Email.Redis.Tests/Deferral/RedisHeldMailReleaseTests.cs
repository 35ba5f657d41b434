using Microsoft.Extensions.Time.Testing;
using PetSitter.Email.Redis.Tests.Support;
using PetSitter.Email.Testing;
using PetSitter.Email.Tests.Secrets;

namespace PetSitter.Email.Redis.Tests.Deferral;

/// <summary>Mail one instance held because of a wrong password goes out from another as soon as the owner saves the right one.</summary>
[Collection(RedisGroup.Name)]
public sealed class RedisHeldMailReleaseTests(RedisFixture redis)
{
    private const string Owner = "owner@paws.example";

    [Fact]
    public async Task Marketing_held_by_one_instance_is_released_by_another_when_the_password_is_fixed_and_sent_once()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero));
        await using var server = await ScriptedSmtpServer.StartAsync(new());

        // Gmail's refusal of a wrong password (https://support.google.com/mail/?p=BadCredentials, quoted in
        // /work/shared/providers.md), until the owner saves the right one.
        server.Script = context => context.Stage == SmtpStage.Authenticate ? ProviderReplies.Gmail.BadCredentials : null;
        var settings = new Settings(Settings.Business(server.CreateAccountSettings(Owner, Owner, TestSecrets.RedisAccountPassword)));
        var prefix = RedisFixture.NewPrefix();
        await using var deferring = new Instance(redis.ConnectionString, prefix, time, settings);
        await using var releasing = new Instance(redis.ConnectionString, prefix, time, settings);

        var held = await Task.WhenAll(Enumerable.Range(1, 3).Select(n => deferring.Sender.SendAsync(Settings.Email(EmailCategory.Marketing, n))));
        held.Should().OnlyContain(o => o.Status == SendStatus.Deferred && o.FailureKind == SmtpFailureKind.AuthenticationFailed);
        held.Should().OnlyContain(o => o.DeferredUntil >= time.GetUtcNow() + TimeSpan.FromMinutes(5), "the send that signed in waits DeferredRetryDelay, the ones it stopped wait for the probe 6 hours away");

        time.Advance(TimeSpan.FromSeconds(30));
        (await releasing.Dispatcher.DispatchDueAsync(default)).Should().Be(0, "the settings are still the ones that failed");

        server.Script = null;
        settings.Set(Settings.Business(server.CreateAccountSettings(Owner, Owner, TestSecrets.RedisChangedPassword)));
        time.Advance(TimeSpan.FromSeconds(30));
        (await releasing.Dispatcher.DispatchDueAsync(default)).Should().Be(3, "the other instance noticed the new settings on its next poll");
        (await deferring.Dispatcher.DispatchDueAsync(default)).Should().Be(0);
        (await releasing.Dispatcher.DispatchDueAsync(default)).Should().Be(0);

        server.Messages.Select(m => m.Message.MessageId).Should().BeEquivalentTo(held.Select(o => o.MessageId), "each held email is sent exactly once");
        (await releasing.Queue.CountAsync(default)).Should().Be(0);
        server.AuthenticationsFailed.Should().Be(1);
        (await redis.Admin.HashLengthAsync(prefix + "deferred:{q}:held")).Should().Be(0, "nothing is held for the account any more");
    }
}
