using NSubstitute;
using PetSitter.Email.Tests.Support;

namespace PetSitter.Email.Tests.Input;

/// <summary>
/// What the caller gets when the app's settings provider does not give usable settings: an exception of
/// the settings kind, or the provider's own exception, never an SMTP failure or a send.
/// </summary>
public sealed class SettingsProviderInputTests : IDisposable
{
    private readonly ISmtpTransport _smtp = Substitute.For<ISmtpTransport>();
    private readonly RecordingMailer _native = new();
    private readonly LookupProvider _settings = new();
    private readonly SenderHarness _harness;

    public SettingsProviderInputTests()
    {
        _harness = new SenderHarness(_smtp, _native, _settings);
    }

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task Settings_of_another_business_are_refused_naming_both()
    {
        _settings.Lookup = (_, _) => ValueTask.FromResult<BusinessEmailSettings?>(TestData.Business("claws", TestData.Account()));

        var act = () => _harness.Sender.SendAsync(PolicyTestData.Email(EmailCategory.Invoice));

        (await act.Should().ThrowAsync<EmailSettingsException>()).Which.Message.Should().Contain("'claws'").And.Contain("'paws'");
        await NothingWasSentAsync();
    }

    [Fact]
    public async Task A_provider_that_throws_surfaces_its_own_exception_not_an_smtp_failure()
    {
        var down = new InvalidOperationException("The settings database is unreachable.");
        _settings.Lookup = (_, _) => ValueTask.FromException<BusinessEmailSettings?>(down);

        var act = () => _harness.Sender.SendAsync(PolicyTestData.Email(EmailCategory.Invoice));

        (await act.Should().ThrowAsync<InvalidOperationException>()).Which.Should().BeSameAs(down);
        await NothingWasSentAsync();
        _harness.Health.GetHealth("paws").State.Should().Be(AccountHealthState.Healthy, "the app's own store failing says nothing about the mailbox");
    }

    [Fact]
    public async Task A_provider_that_hangs_ignoring_the_token_still_lets_the_caller_cancel()
    {
        var never = new TaskCompletionSource<BusinessEmailSettings?>();
        _settings.Lookup = (_, _) => new ValueTask<BusinessEmailSettings?>(never.Task);
        using var cancel = new CancellationTokenSource();

        var sending = _harness.Sender.SendAsync(PolicyTestData.Email(EmailCategory.Invoice), cancel.Token);
        sending.IsCompleted.Should().BeFalse();
        await cancel.CancelAsync();

        // Bounded so that a regression fails with a TimeoutException instead of hanging the run.
        await FluentActions.Awaiting(() => sending.WaitAsync(TimeSpan.FromSeconds(30))).Should().ThrowAsync<OperationCanceledException>();
        never.SetResult(TestData.Business(smtp: TestData.Account()));
        await NothingWasSentAsync();
    }

    [Fact]
    public async Task A_provider_cancelled_by_the_caller_throws_operation_cancelled()
    {
        using var cancel = new CancellationTokenSource();
        _settings.Lookup = async (_, token) =>
        {
            await cancel.CancelAsync();
            token.ThrowIfCancellationRequested();
            return null;
        };

        await FluentActions.Awaiting(() => _harness.Sender.SendAsync(PolicyTestData.Email(EmailCategory.Invoice), cancel.Token))
            .Should().ThrowAsync<OperationCanceledException>();
        await NothingWasSentAsync();
    }

    [Fact]
    public async Task A_deferred_email_whose_business_is_gone_fails_instead_of_throwing()
    {
        _settings.Lookup = (_, _) => ValueTask.FromResult<BusinessEmailSettings?>(null);
        var item = PolicyTestData.Deferred(PolicyTestData.Start);

        var outcome = await _harness.Sender.ResendAsync(item, CancellationToken.None);

        outcome.Status.Should().Be(SendStatus.Failed);
        outcome.Reason.Should().Contain("'paws' is unknown");
        await NothingWasSentAsync();
    }

    private async Task NothingWasSentAsync()
    {
        await _smtp.DidNotReceiveWithAnyArgs().SendAsync(default!, default!, default);
        _native.Sent.Should().Be(0);
    }

    private sealed class LookupProvider : IBusinessEmailSettingsProvider
    {
        public Func<string, CancellationToken, ValueTask<BusinessEmailSettings?>> Lookup { get; set; } = (_, _) => ValueTask.FromResult<BusinessEmailSettings?>(null);

        public ValueTask<BusinessEmailSettings?> GetSettingsAsync(string businessId, CancellationToken cancellationToken) => Lookup(businessId, cancellationToken);
    }

    private sealed class RecordingMailer : INativeMailer
    {
        private int _sent;

        public int Sent => Volatile.Read(ref _sent);

        public Task<DeliveryReceipt> SendAsync(MimeKit.MimeMessage message, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _sent);
            return Task.FromResult(new DeliveryReceipt("native"));
        }
    }
}
