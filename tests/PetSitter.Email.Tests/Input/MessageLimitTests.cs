using MimeKit;
using PetSitter.Email.Testing;
using PetSitter.Email.Tests.EndToEnd;

namespace PetSitter.Email.Tests.Input;

/// <summary>A message too large for the server's SIZE, and one with more recipients than the provider allows.</summary>
public sealed class MessageLimitTests
{
    [Theory]
    [InlineData(EmailCategory.Invoice)]
    [InlineData(EmailCategory.Marketing)]
    public async Task A_message_over_the_servers_size_fails_as_rejected_without_retrying_or_falling_back(EmailCategory category)
    {
        // MailKit declares the size in MAIL FROM (SIZE=n) and leaves the verdict to the server, which refuses
        // there in RFC 1870's words; the scripted server does not compare sizes, so the script does.
        await using var world = await InputServer.StartAsync(["SIZE 2000", "8BITMIME", "SMTPUTF8", "ENHANCEDSTATUSCODES"]);
        var chain = world.Server.Script!;
        world.Server.Script = context => context.Stage == SmtpStage.MailFrom
            ? new SmtpReply(552, "5.3.4 Message size exceeds fixed maximum message size")
            : chain(context);
        var message = EndToEndHost.Message(1, category);
        message.Body = new TextPart("plain") { Text = new string('x', 10_000) };

        var outcome = await world.Host.SendAsync(new OutgoingEmail("paws", category, message));

        outcome.Status.Should().Be(SendStatus.Failed, outcome.ToString());
        outcome.FailureKind.Should().Be(SmtpFailureKind.MessageRejected);
        outcome.IsFallback.Should().BeFalse("the native channel would refuse an oversized message too");
        world.Server.Messages.Should().BeEmpty();
        world.Server.ConnectionsOpened.Should().Be(1, "a message that is too large is not tried again");
        world.Host.Native.SendAttempts.Should().Be(0);
        (await world.Host.Queue.CountAsync(CancellationToken.None)).Should().Be(0);
        world.Host.Health.GetHealth("paws").State.Should().Be(AccountHealthState.Healthy, "one oversized message says nothing about the account");
    }

    [Theory]
    [InlineData(EmailCategory.Invoice)]
    [InlineData(EmailCategory.Marketing)]
    public async Task A_message_over_the_announced_size_is_refused_before_data_even_when_the_server_would_take_the_upload(EmailCategory category)
    {
        // A server that announces SIZE but does not check the declared size at MAIL FROM (many refuse only after
        // the whole upload): the library compares the message with the announcement and sends nothing.
        await using var world = await InputServer.StartAsync(["SIZE 2000", "8BITMIME", "SMTPUTF8", "ENHANCEDSTATUSCODES"]);
        var chain = world.Server.Script!;
        var mailFrom = 0;
        world.Server.Script = context =>
        {
            if (context.Stage == SmtpStage.MailFrom)
            {
                Interlocked.Increment(ref mailFrom);
            }

            return chain(context);
        };
        var message = EndToEndHost.Message(1, category);
        message.Body = new TextPart("plain") { Text = new string('x', 10_000) };

        var outcome = await world.Host.SendAsync(new OutgoingEmail("paws", category, message));

        outcome.Status.Should().Be(SendStatus.Failed, outcome.ToString());
        outcome.FailureKind.Should().Be(SmtpFailureKind.MessageRejected);
        outcome.Reason.Should().Contain("larger than your email server accepts (2 KB)");
        outcome.IsFallback.Should().BeFalse();
        Volatile.Read(ref mailFrom).Should().Be(0, "refused before the transaction started, let alone DATA");
        world.Server.Messages.Should().BeEmpty();
        world.Host.Native.SendAttempts.Should().Be(0);
        (await world.Host.Queue.CountAsync(CancellationToken.None)).Should().Be(0);
        world.Host.Health.GetHealth("paws").IsHealthy.Should().BeTrue();
        world.Server.ConnectionsOpened.Should().Be(1, "not retried");
    }

    [Fact]
    public async Task A_message_within_the_servers_size_is_sent()
    {
        await using var world = await InputServer.StartAsync(["SIZE 100000", "8BITMIME", "SMTPUTF8", "ENHANCEDSTATUSCODES"]);

        (await world.Host.SendAsync("paws", EmailCategory.Invoice, 1)).IsSent.Should().BeTrue();
        world.Server.Messages.Should().ContainSingle();
    }

    [Theory]
    [InlineData(EmailCategory.Marketing, SendStatus.Failed)]
    [InlineData(EmailCategory.General, SendStatus.Sent)]
    [InlineData(EmailCategory.Invoice, SendStatus.Sent)]
    public async Task More_recipients_than_the_preset_allows_are_refused_before_connecting(EmailCategory category, SendStatus expected)
    {
        await using var world = await InputServer.StartAsync(account: a => new SmtpAccountSettings
        {
            Host = a.Host,
            Port = a.Port,
            Security = a.Security,
            FromAddress = a.FromAddress,
            Provider = ProviderPresets.Gmail.Name,
        });
        var allowed = ProviderPresets.Gmail.Limits.RecipientsPerMessage!.Value;
        var message = EndToEndHost.Message(1, category);
        message.Bcc.AddRange(Enumerable.Range(0, allowed).Select(n => new MailboxAddress(null, $"client{n}@clients.example")));

        var outcome = await world.Host.SendAsync(new OutgoingEmail("paws", category, message));

        outcome.Status.Should().Be(expected, outcome.ToString());
        outcome.FailureKind.Should().Be(SmtpFailureKind.SendLimitReached);
        outcome.Reason.Should().Contain($"more recipients than your email provider accepts in one message ({allowed})");
        world.Server.ConnectionsOpened.Should().Be(0, "the limit is known before sending");
        (await world.Host.Queue.CountAsync(CancellationToken.None)).Should().Be(0, "waiting does not make a message fit: it is not deferred");
        world.Host.Health.GetHealth("paws").State.Should().Be(AccountHealthState.Healthy);
        if (expected == SendStatus.Sent)
        {
            outcome.IsFallback.Should().BeTrue("a category that may go natively does, where no per-message limit applies");
        }
    }

    [Fact]
    public async Task Exactly_the_allowed_number_of_recipients_is_sent()
    {
        await using var world = await InputServer.StartAsync(account: a => EndToEndHost.With(a, limits: new SendLimits { RecipientsPerMessage = 3 }));
        var message = EndToEndHost.Message(1, EmailCategory.Marketing);
        message.Cc.Add(new MailboxAddress(null, "a@clients.example"));
        message.Bcc.Add(new MailboxAddress(null, "b@clients.example"));

        (await world.Host.SendAsync(new OutgoingEmail("paws", EmailCategory.Marketing, message))).IsSent.Should().BeTrue();
        world.Server.Messages.Single().Recipients.Should().HaveCount(3);
    }
}
