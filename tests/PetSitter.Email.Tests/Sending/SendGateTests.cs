using NSubstitute;
using NSubstitute.ExceptionExtensions;
using PetSitter.Email.Tests.Support;

namespace PetSitter.Email.Tests.Sending;

/// <summary>
/// The channel's order with a transport that cannot pass the gate itself (a fake): the limits are counted right
/// before the transport is called, the breaker is asked after every wait, before the count, and a known account
/// failure names the outcome rather than a limit.
/// </summary>
public sealed class SendGateTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly ISmtpTransport _smtp = Substitute.For<ISmtpTransport>();
    private readonly INativeMailer _native = Substitute.For<INativeMailer>();
    private readonly SmtpAccountSettings _account = new()
    {
        Host = "smtp.paws.example",
        Port = 587,
        UserName = "owner@paws.example",
        Password = Secrets.TestSecrets.OwnerPassword,
        FromAddress = "owner@paws.example",
        Limits = new SendLimits { MessagesPerSecond = 1, MessagesPerDay = 100 },
    };

    private readonly SenderHarness _harness;

    public SendGateTests()
    {
        _smtp.SendAsync(default!, default!, default).ReturnsForAnyArgs(new DeliveryReceipt("smtp.paws.example:587", "250 OK"));
        _native.SendAsync(default!, default).ReturnsForAnyArgs(new DeliveryReceipt("/pickup/1.eml"));
        _harness = new SenderHarness(_smtp, _native, configure: null, TestData.Business(smtp: _account));
    }

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task A_send_waiting_for_a_slot_when_the_password_is_found_wrong_is_not_sent_not_counted_and_names_the_password()
    {
        (await Send(EmailCategory.Invoice)).Channel.Should().Be(EmailChannel.Smtp);

        // The next send waits for the per-second slot; meanwhile another instance finds the password wrong.
        var waiting = Send(EmailCategory.Marketing);
        waiting.IsCompleted.Should().BeFalse("the per-second slot is a second away, within the two-second bound");
        var wrongPassword = SmtpFailureClassifier.Classify(
            new SmtpTransportException(SmtpStage.Authenticate, 535, "5.7.8 Username and Password not accepted."), _account.Host);
        await _harness.Get<IAccountBreaker>().RecordFailureAsync("paws", _account.SettingsFingerprint(), wrongPassword, _harness.Time.GetUtcNow(), null, CancellationToken.None);
        _harness.Time.Advance(TimeSpan.FromSeconds(1.04));
        var outcome = await waiting.WaitAsync(Patience);

        outcome.Status.Should().Be(SendStatus.Deferred);
        outcome.FailureKind.Should().Be(SmtpFailureKind.AuthenticationFailed, "asked after its wait, the breaker's verdict wins");
        await _smtp.ReceivedWithAnyArgs(1).SendAsync(default!, default!, default);
        (await _harness.Get<ISendQuotaStore>().GetAsync(SmtpChannel.AccountKey(_account)))!.MessagesLastDay
            .Should().Be(1, "a send that did not go out was never counted");
    }

    [Fact]
    public async Task A_limit_refusal_while_the_breaker_is_open_names_the_breaker_s_failure()
    {
        (await Send(EmailCategory.Invoice)).Channel.Should().Be(EmailChannel.Smtp);
        var wrongPassword = SmtpFailureClassifier.Classify(
            new SmtpTransportException(SmtpStage.Authenticate, 535, "5.7.8 Username and Password not accepted."), _account.Host);

        // A wrong password found by another send between this one's breaker check and its limit check.
        var breaker = new OpensOnSecondCheck(_harness.Get<IAccountBreaker>(), wrongPassword);
        var channel = new SmtpChannel(
            _smtp,
            breaker,
            _harness.Get<ISendQuotaStore>(),
            new SendThrottle(_harness.Get<ISendQuotaStore>(), _harness.Time, TimeSpan.Zero),
            _harness.Get<SmtpRetryPipeline>(),
            _harness.Get<Microsoft.Extensions.Options.IOptions<PetSitterEmailOptions>>(),
            _harness.Time,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<SmtpChannel>.Instance,
            _harness.Get<EmailTelemetry>());

        var attempt = await channel.SendAsync("paws", _account, TestData.Message(), EmailCategory.Invoice, CancellationToken.None);

        attempt.IsSent.Should().BeFalse();
        attempt.Failure!.Kind.Should().Be(SmtpFailureKind.AuthenticationFailed, "a per-second refusal is no news next to a wrong password");
        await _smtp.ReceivedWithAnyArgs(1).SendAsync(default!, default!, default);
    }

    [Fact]
    public async Task A_send_that_asked_before_the_wrong_password_was_found_and_came_in_after_its_sender_left_asks_again()
    {
        // The race a burst hits on two cores: send B asks the breaker (closed: nothing has failed yet), then send A
        // signs in, fails, records it and leaves, dropping its lane; B comes in to a new lane without waiting.
        var wrongPassword = new SmtpTransportException(SmtpStage.Authenticate, 535, "5.7.8 Username and Password not accepted.");
        _smtp.SendAsync(default!, default!, default).ThrowsAsyncForAnyArgs(wrongPassword);
        var aLeft = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var breaker = new HoldsFirstAnswer(_harness.Get<IAccountBreaker>(), aLeft.Task);
        var channel = Channel(breaker);

        // No limits: nothing but the breaker can stop B.
        var account = new SmtpAccountSettings { Host = _account.Host, Port = _account.Port, UserName = _account.UserName, Password = _account.Password, FromAddress = _account.FromAddress };
        var b = channel.SendAsync("paws", account, TestData.Message(), EmailCategory.Invoice, CancellationToken.None).AsTask();
        await breaker.FirstAsked.WaitAsync(Patience);
        var a = await channel.SendAsync("paws", account, TestData.Message(), EmailCategory.Invoice, CancellationToken.None);
        aLeft.SetResult();
        var late = await b.WaitAsync(Patience);

        a.Failure!.Kind.Should().Be(SmtpFailureKind.AuthenticationFailed);
        late.IsSent.Should().BeFalse();
        late.Failure!.Kind.Should().Be(SmtpFailureKind.AuthenticationFailed);
        await _smtp.ReceivedWithAnyArgs(1).SendAsync(default!, default!, default);
    }

    private SmtpChannel Channel(IAccountBreaker breaker) => new(
        _smtp,
        breaker,
        _harness.Get<ISendQuotaStore>(),
        new SendThrottle(_harness.Get<ISendQuotaStore>(), _harness.Time, TimeSpan.Zero),
        _harness.Get<SmtpRetryPipeline>(),
        _harness.Get<Microsoft.Extensions.Options.IOptions<PetSitterEmailOptions>>(),
        _harness.Time,
        Microsoft.Extensions.Logging.Abstractions.NullLogger<SmtpChannel>.Instance,
        _harness.Get<EmailTelemetry>());

    /// <summary>Computes the first check at once but hands its answer over only when told; answers the others at once.</summary>
    private sealed class HoldsFirstAnswer(IAccountBreaker inner, Task release) : IAccountBreaker
    {
        private readonly TaskCompletionSource _firstAsked = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _checks;

        public Task FirstAsked => _firstAsked.Task;

        public async ValueTask<AccountGate> CheckAsync(string businessId, string credentialFingerprint, DateTimeOffset now, CancellationToken cancellationToken)
        {
            var gate = await inner.CheckAsync(businessId, credentialFingerprint, now, cancellationToken);
            if (Interlocked.Increment(ref _checks) == 1)
            {
                _firstAsked.SetResult();
                await release;
            }

            return gate;
        }

        public ValueTask RecordSuccessAsync(string businessId, string credentialFingerprint, DateTimeOffset now, CancellationToken cancellationToken) =>
            inner.RecordSuccessAsync(businessId, credentialFingerprint, now, cancellationToken);

        public ValueTask RecordFailureAsync(string businessId, string credentialFingerprint, SmtpFailure failure, DateTimeOffset now, DateTimeOffset? resetsAt, CancellationToken cancellationToken) =>
            inner.RecordFailureAsync(businessId, credentialFingerprint, failure, now, resetsAt, cancellationToken);
    }

    private Task<SendOutcome> Send(EmailCategory category) =>
        _harness.Sender.SendAsync(new OutgoingEmail("paws", category, TestData.Message()), CancellationToken.None);

    /// <summary>Lets the first check through, then opens the breaker before answering the next.</summary>
    private sealed class OpensOnSecondCheck(IAccountBreaker inner, SmtpFailure failure) : IAccountBreaker
    {
        private int _checks;

        public async ValueTask<AccountGate> CheckAsync(string businessId, string credentialFingerprint, DateTimeOffset now, CancellationToken cancellationToken)
        {
            if (++_checks == 2)
            {
                await inner.RecordFailureAsync(businessId, credentialFingerprint, failure, now, null, cancellationToken);
            }

            return await inner.CheckAsync(businessId, credentialFingerprint, now, cancellationToken);
        }

        public ValueTask RecordSuccessAsync(string businessId, string credentialFingerprint, DateTimeOffset now, CancellationToken cancellationToken) =>
            inner.RecordSuccessAsync(businessId, credentialFingerprint, now, cancellationToken);

        public ValueTask RecordFailureAsync(string businessId, string credentialFingerprint, SmtpFailure failure, DateTimeOffset now, DateTimeOffset? resetsAt, CancellationToken cancellationToken) =>
            inner.RecordFailureAsync(businessId, credentialFingerprint, failure, now, resetsAt, cancellationToken);
    }
}
