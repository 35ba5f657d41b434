using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NSubstitute;
using PetSitter.Email.Tests.Support;

namespace PetSitter.Email.Tests.Sending;

/// <summary>
/// The platform's own shared limit store (Redis) cannot be reached: the send pauses, and the owner is not told about a
/// problem with their account, because there is none.
/// </summary>
public sealed class SmtpChannelStoreUnavailableTests : IDisposable
{
    private static readonly TimeSpan FailClosedRetryAfter = TimeSpan.FromSeconds(30);
    private readonly ISmtpTransport _smtp = Substitute.For<ISmtpTransport>();
    private readonly SenderHarness _harness;
    private readonly SmtpAccountSettings _account = new()
    {
        Host = "smtp.paws.example",
        Port = 587,
        UserName = "owner@paws.example",
        Password = Secrets.TestSecrets.OwnerPassword,
        FromAddress = "owner@paws.example",
    };

    public SmtpChannelStoreUnavailableTests()
    {
        _harness = new SenderHarness(_smtp, Substitute.For<INativeMailer>(), configure: null, TestData.Business(smtp: _account));
    }

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task A_limit_store_that_cannot_be_reached_pauses_the_send_without_marking_the_owner_s_account()
    {
        // As the Redis store answers while Redis is away: it fails closed (RedisSendQuotaStore, FailClosedRetryAfter).
        var store = Substitute.For<ISendQuotaStore>();
        var unreachable = QuotaDecision.Refuse(LimitWindow.StoreUnavailable, FailClosedRetryAfter);
        store.PeekAsync(default!, default!, default, default).ReturnsForAnyArgs(unreachable);
        store.TryAcquireAsync(default!, default!, default, default).ReturnsForAnyArgs(unreachable);
        var channel = new SmtpChannel(
            _smtp,
            _harness.Get<IAccountBreaker>(),
            store,
            new SendThrottle(store, _harness.Time, TimeSpan.Zero),
            _harness.Get<SmtpRetryPipeline>(),
            _harness.Get<IOptions<PetSitterEmailOptions>>(),
            _harness.Time,
            NullLogger<SmtpChannel>.Instance,
            _harness.Get<EmailTelemetry>());

        var attempt = await channel.SendAsync("paws", _account, TestData.Message(), EmailCategory.Invoice, CancellationToken.None);

        attempt.IsSent.Should().BeFalse();
        attempt.Failure!.LimitWindow.Should().Be(LimitWindow.StoreUnavailable);
        attempt.Failure.IsAccountLevel.Should().BeFalse("the store is the platform's, not the owner's account");
        attempt.Failure.IsTransient.Should().BeTrue();
        attempt.ResumeAt.Should().Be(_harness.Time.GetUtcNow() + FailClosedRetryAfter);
        _harness.Health.GetHealth("paws").IsHealthy.Should().BeTrue("the owner has nothing to fix");
        await _smtp.DidNotReceiveWithAnyArgs().SendAsync(default!, default!, default);
    }
}
