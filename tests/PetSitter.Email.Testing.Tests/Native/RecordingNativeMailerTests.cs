using MimeKit;

namespace PetSitter.Email.Testing.Tests.Native;

public class RecordingNativeMailerTests
{
    [Fact]
    public async Task Records_messages_in_order_with_numbered_receipts()
    {
        var mailer = new RecordingNativeMailer();
        var first = Message("first");
        var second = Message("second");

        var receipts = new[] { await mailer.SendAsync(first, CancellationToken.None), await mailer.SendAsync(second, CancellationToken.None) };

        receipts.Select(r => r.Location).Should().Equal("native://recorded/1", "native://recorded/2");
        mailer.Messages.Should().Equal(first, second);
        mailer.SendAttempts.Should().Be(2);
    }

    [Fact]
    public async Task Throws_the_failure_while_it_is_set_and_records_nothing()
    {
        var failure = new IOException("pickup directory is full");
        var mailer = new RecordingNativeMailer { Failure = failure };

        var send = () => mailer.SendAsync(Message("lost"), CancellationToken.None);

        (await send.Should().ThrowAsync<IOException>()).Which.Should().BeSameAs(failure);
        mailer.Messages.Should().BeEmpty();
        mailer.SendAttempts.Should().Be(1);
    }

    [Fact]
    public async Task Records_again_once_the_failure_is_cleared()
    {
        var mailer = new RecordingNativeMailer { Failure = new InvalidOperationException("down") };
        await mailer.Invoking(m => m.SendAsync(Message("lost"), CancellationToken.None)).Should().ThrowAsync<InvalidOperationException>();

        mailer.Failure = null;
        var receipt = await mailer.SendAsync(Message("kept"), CancellationToken.None);

        receipt.Location.Should().Be("native://recorded/1");
        mailer.Messages.Select(m => m.Subject).Should().Equal("kept");
    }

    [Fact]
    public async Task A_canceled_send_records_nothing()
    {
        var mailer = new RecordingNativeMailer();

        var send = () => mailer.SendAsync(Message("canceled"), new CancellationToken(canceled: true));

        await send.Should().ThrowAsync<OperationCanceledException>();
        mailer.Messages.Should().BeEmpty();
    }

    [Fact]
    public async Task Sends_from_many_threads_are_all_recorded_once()
    {
        var mailer = new RecordingNativeMailer();
        var all = mailer.WaitForMessagesAsync(200);

        var receipts = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(() => mailer.SendAsync(Message($"m{i}"), CancellationToken.None))));

        receipts.Select(r => r.Location).Should().OnlyHaveUniqueItems();
        (await all).Select(m => m.Subject).Should().BeEquivalentTo(Enumerable.Range(0, 200).Select(i => $"m{i}"));
    }

    [Fact]
    public async Task Waiting_completes_when_the_count_is_reached()
    {
        var mailer = new RecordingNativeMailer();
        var two = mailer.WaitForMessagesAsync(2);

        await mailer.SendAsync(Message("one"), CancellationToken.None);
        two.IsCompleted.Should().BeFalse();
        await mailer.SendAsync(Message("two"), CancellationToken.None);

        (await two).Should().HaveCount(2);
    }

    private static MimeMessage Message(string subject)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Paws & Claws via Pet Sitter Plus", "mailer@petsoftware.net"));
        message.To.Add(MailboxAddress.Parse("client@example.test"));
        message.Subject = subject;
        message.Body = new TextPart("plain") { Text = "Invoice attached." };
        return message;
    }
}
