using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PetSitter.Email.Tests.Support;
using static PetSitter.Email.Tests.Support.PolicyTestData;

namespace PetSitter.Email.Tests.Deferral;

/// <summary>
/// The release of held mail before a pass, at its edges: a business that switched its SMTP account off, and a settings
/// store that cannot be read (the pass goes on, the held mail waits for its due time).
/// </summary>
public sealed class HeldMailReleaseEdgeTests
{
    private static readonly SmtpAccountSettings FailedAccount = TestData.Account();
    private readonly FakeTimeProvider _time = new(Start);
    private readonly InMemoryDeferredEmailQueue _queue = new();
    private readonly List<DeferredEmail> _resent = [];

    [Fact]
    public async Task Mail_held_for_an_account_the_business_has_since_switched_off_goes_at_the_next_pass()
    {
        var held = Held();
        await _queue.EnqueueAsync(held, CancellationToken.None);
        var settings = new StaticSettingsProvider(TestData.Business("paws", smtp: null));

        var taken = await Dispatcher(settings).DispatchDueAsync(CancellationToken.None);

        taken.Should().Be(1, "with no SMTP account there is no failed account left to wait for");
        _resent.Should().ContainSingle().Which.MessageId.Should().Be(held.MessageId);
    }

    [Fact]
    public async Task A_settings_store_that_cannot_be_read_leaves_held_mail_to_its_due_time_and_the_pass_still_sends_what_is_due()
    {
        var held = Held();
        var due = Deferred(Start);
        await _queue.EnqueueAsync(held, CancellationToken.None);
        await _queue.EnqueueAsync(due, CancellationToken.None);

        var taken = await Dispatcher(new UnreadableSettings()).DispatchDueAsync(CancellationToken.None);

        taken.Should().Be(1);
        _resent.Should().ContainSingle().Which.MessageId.Should().Be(due.MessageId);
        (await _queue.TakeDueAsync(held.DueAt - TimeSpan.FromTicks(1), 10, CancellationToken.None)).Should().BeEmpty("it was not released");
        (await _queue.TakeDueAsync(held.DueAt, 10, CancellationToken.None)).Should().ContainSingle().Which.MessageId.Should().Be(held.MessageId);
    }

    private static DeferredEmail Held() =>
        new(PolicyTestData.Email(), Start + TimeSpan.FromHours(6), Failure(SmtpFailureKind.AuthenticationFailed), Start) { AccountFingerprint = FailedAccount.SettingsFingerprint() };

    private DeferredEmailDispatcher Dispatcher(IBusinessEmailSettingsProvider settings) =>
        new(_queue, new Resender(_resent), [], Options.Create(new FallbackPolicyOptions()), _time, TestLogging.For<DeferredEmailDispatcher>(), settings: settings);

    private sealed class Resender(List<DeferredEmail> resent) : IDeferredEmailResender
    {
        public Task<SendOutcome> ResendAsync(DeferredEmail item, CancellationToken cancellationToken)
        {
            resent.Add(item);
            return Task.FromResult(SendOutcome.Sent(item.Email, EmailChannel.Smtp, EmailChannel.Smtp, new DeliveryReceipt("smtp.paws.example:587", "250 OK")));
        }
    }

    /// <summary>A settings store that is down, as a database behind it may be.</summary>
    private sealed class UnreadableSettings : IBusinessEmailSettingsProvider
    {
        public ValueTask<BusinessEmailSettings?> GetSettingsAsync(string businessId, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("The settings database cannot be reached.");
    }
}
