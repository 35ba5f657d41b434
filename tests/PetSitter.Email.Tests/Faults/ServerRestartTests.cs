using PetSitter.Email.Testing;
using PetSitter.Email.Tests.EndToEnd;

namespace PetSitter.Email.Tests.Faults;

/// <summary>The owner's server restarts on the same port while the library holds pooled connections to it.</summary>
public sealed class ServerRestartTests
{
    [Fact]
    public async Task Pooled_connections_to_a_restarted_server_are_replaced_and_nothing_is_lost_or_sent_twice()
    {
        await using var first = await StageDropTests.StartServerAsync();
        await using var host = StageDropTests.NewHost(first);
        var before = await Task.WhenAll(Enumerable.Range(0, 9).Select(n => host.SendAsync("paws", EmailCategory.Invoice, n)));
        var opened = first.ConnectionsOpened;
        await first.DisposeAsync();
        await using var second = await ScriptedSmtpServer.StartAsync(new()
        {
            Security = first.Options.Security,
            UserName = first.Options.UserName,
            Password = first.Options.Password,
            Port = first.Port,
        });

        var after = await Task.WhenAll(Enumerable.Range(9, 9).Select(n => host.SendAsync("paws", EmailCategory.Invoice, n)));

        opened.Should().BeInRange(1, 3, "the first burst used the pool");
        before.Concat(after).Should().OnlyContain(o => o.IsSent && o.Channel == EmailChannel.Smtp && !o.IsFallback, "a stale pooled connection is replaced before anything is handed over");
        first.Messages.Select(m => m.Message.MessageId).Should().BeEquivalentTo(before.Select(o => o.MessageId));
        second.Messages.Select(m => m.Message.MessageId).Should().BeEquivalentTo(after.Select(o => o.MessageId));
        host.Native.SendAttempts.Should().Be(0);
        host.Health.GetHealth("paws").IsHealthy.Should().BeTrue();
    }

    [Fact]
    public async Task Mail_sent_while_the_server_is_down_falls_back_or_waits_and_the_deferred_message_goes_out_once_it_is_back()
    {
        await using var first = await StageDropTests.StartServerAsync();
        var port = first.Port;
        await using var host = StageDropTests.NewHost(first);
        (await host.SendAsync("paws", EmailCategory.Invoice, 1)).Channel.Should().Be(EmailChannel.Smtp);
        await first.DisposeAsync();

        var invoice = await host.SendAsync("paws", EmailCategory.Invoice, 2);
        var marketing = await host.SendAsync("paws", EmailCategory.Marketing, 3);
        await using var second = await ScriptedSmtpServer.StartAsync(new()
        {
            Security = first.Options.Security,
            UserName = first.Options.UserName,
            Password = first.Options.Password,
            Port = port,
        });
        var health = host.Health.GetHealth("paws");
        host.Time.Advance(host.Options<AccountHealthOptions>().MaxProbeInterval + TimeSpan.FromMinutes(5));
        while (await host.Queue.CountAsync(CancellationToken.None) > 0 && await host.DispatchDueAsync() > 0)
        {
        }

        var later = await host.SendAsync("paws", EmailCategory.Invoice, 4);

        // The server accepted a connection a moment ago, so its refusal is a restart, not a wrong port: the
        // message falls back as for any transient failure and the account is not blamed.
        invoice.Status.Should().Be(SendStatus.Sent, invoice.ToString());
        invoice.Channel.Should().Be(EmailChannel.Native);
        invoice.FailureKind.Should().Be(SmtpFailureKind.Transient);
        invoice.SmtpFailure!.Stage.Should().Be(SmtpStage.Connect);
        invoice.SmtpFailure.Advice.Should().Contain("restarting");
        marketing.Status.Should().Be(SendStatus.Deferred);
        health.IsHealthy.Should().BeTrue("the owner has nothing to correct");
        host.Outcomes.Outcomes.Should().ContainSingle().Which.Should().Match<SendOutcome>(o =>
            o.MessageId == EndToEndHost.MessageId(3) && o.Status == SendStatus.Sent && o.Channel == EmailChannel.Smtp);
        later.Channel.Should().Be(EmailChannel.Smtp);
        first.Messages.Select(m => m.Message.MessageId).Should().Equal(EndToEndHost.MessageId(1));
        second.Messages.Select(m => m.Message.MessageId).Should().BeEquivalentTo([EndToEndHost.MessageId(3), EndToEndHost.MessageId(4)]);
        host.Native.Messages.Select(m => m.MessageId).Should().Equal(EndToEndHost.MessageId(2));
        host.Health.GetHealth("paws").IsHealthy.Should().BeTrue();
    }
}
