using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using PetSitter.Email.Tests.Support;

namespace PetSitter.Email.Tests.Native;

public sealed class PickupDirectoryNativeMailerTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "petsitter-email-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private PickupDirectoryNativeMailer Mailer() =>
        new(Options.Create(new PickupDirectoryOptions { Directory = _directory }), new FakeTimeProvider(), TestLogging.For<PickupDirectoryNativeMailer>());

    [Fact]
    public async Task Each_message_becomes_one_eml_file_that_parses_back_to_the_same_message()
    {
        var message = TestData.Message("Rechnung für Bello 🐶");

        var receipt = await Mailer().SendAsync(message, CancellationToken.None);

        Directory.GetFiles(_directory).Should().ContainSingle().Which.Should().Be(receipt.Location).And.EndWith(".eml");
        var parsed = await MimeMessage.LoadAsync(receipt.Location);
        parsed.MessageId.Should().Be(message.MessageId);
        parsed.Subject.Should().Be("Rechnung für Bello 🐶");
        parsed.TextBody?.TrimEnd().Should().Be(message.TextBody);
    }

    [Fact]
    public async Task Concurrent_writes_never_collide_and_leave_no_temporary_files()
    {
        var mailer = Mailer();

        var receipts = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => mailer.SendAsync(TestData.Message($"Reminder {i}"), CancellationToken.None)));

        receipts.Select(r => r.Location).Should().OnlyHaveUniqueItems();
        Directory.GetFiles(_directory).Should().HaveCount(50).And.OnlyContain(f => f.EndsWith(".eml", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_cancelled_write_leaves_no_file()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        var act = () => Mailer().SendAsync(TestData.Message(), cts.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
        Directory.GetFiles(_directory).Should().BeEmpty();
    }
}
